import { once } from 'node:events';
import { AgentMeterConfigError } from '@agentmeter/core';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { describe, expect, it } from 'vitest';
import { instrumentOpenAIRealtime } from '../src/index.ts';
import { expectSpokenTurnAndInterruption, useRealtimeSim } from './realtime-harness.ts';

const env = useRealtimeSim();

async function connect(): Promise<OpenAIRealtimeWS> {
  const openai = new OpenAI({ apiKey: 'sk-test-secret', baseURL: `${env.sim.url}/v1` });
  const rt = instrumentOpenAIRealtime(
    new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: env.sim.ca } }, openai),
    { meter: env.h.meter, clock: env.h.clock },
  );
  await once(rt.socket, 'open');
  return rt;
}

/** Resolves with the next `response.done` event. */
const responseDone = (rt: OpenAIRealtimeWS): Promise<{ response: { status?: string } }> =>
  new Promise((resolve) => rt.once('response.done', (event) => resolve(event as never)));

describe('OpenAI Realtime sessions, the real openai realtime WebSocket client against the simulator', () => {
  it('records the session, each response as a call with audio and text tokens, turn latency and an interruption', async () => {
    const rt = await connect();
    const events: string[] = [];
    rt.on('event', (event) => events.push(event.type));
    rt.send({ type: 'input_audio_buffer.append', audio: Buffer.alloc(320).toString('base64') });
    rt.send({ type: 'input_audio_buffer.commit' });
    let done = responseDone(rt);
    rt.send({ type: 'response.create' });
    expect((await done).response.status).toBe('completed');

    done = responseDone(rt);
    rt.once('response.output_audio.delta', () => rt.send({ type: 'response.cancel' }));
    rt.send({ type: 'response.create' });
    expect((await done).response.status).toBe('cancelled');
    rt.close();
    await once(rt.socket, 'close');
    expect(events).toContain('response.output_audio.delta');

    const m = await env.h.collect();
    expectSpokenTurnAndInterruption(m);
  });

  it('a server error event is counted in the taxonomy; the client still gets it', async () => {
    const rt = await connect();
    const errors: unknown[] = [];
    rt.on('error', (error) => errors.push(error));
    rt.socket.send('not json');
    await new Promise((resolve) => rt.once('error', resolve));
    rt.close();
    await once(rt.socket, 'close');
    expect(errors).toHaveLength(1);
    const m = await env.h.collect();
    expect(m.value('errors', { error_type: 'bad_request', component: 'realtime' })).toBe(1);
    expect(m.value('llm.errors', { provider: 'openai', model: 'gpt-realtime', error_type: 'bad_request' })).toBe(1);
  });

  it('rejects what is not a realtime client', () => {
    for (const bad of [null, {}, { on: () => {} }, 'ws']) {
      expect(() => instrumentOpenAIRealtime(bad as never, { meter: env.h.meter })).toThrow(AgentMeterConfigError);
    }
  });
});
