import { once } from 'node:events';
import { AgentMeterConfigError } from '@agentmeter/core';
import { type OpenAIRealtimeSim, startOpenAIRealtimeSim } from '@agentmeter/provider-sim';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentOpenAIRealtime } from '../src/index.ts';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
let sim: OpenAIRealtimeSim;
beforeEach(async () => {
  h = await startHarness();
  sim = await startOpenAIRealtimeSim({ audioDeltas: 4, deltaMs: 5 });
});
afterEach(async () => {
  await sim.close();
  await h.close();
});

async function connect(): Promise<OpenAIRealtimeWS> {
  const openai = new OpenAI({ apiKey: 'sk-test-secret', baseURL: `${sim.url}/v1` });
  const rt = instrumentOpenAIRealtime(new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: sim.ca } }, openai), { meter: h.meter, clock: h.clock });
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

    const m = await h.collect();
    const labels = { provider: 'openai', model: 'gpt-realtime' };
    expect(m.value('sessions')).toBe(1);
    expect(m.value('active_sessions')).toBe(0);
    expect(m.histogram('session.duration')?.count).toBe(1);
    expect(m.value('llm.requests', { ...labels, operation: 'realtime', status: 'success' })).toBe(2);
    expect(m.histogram('llm.time_to_first_token', labels)?.count).toBe(2);
    // Only the first response followed the end of user speech: one turn, timed by the test clock's steps.
    expect(m.histogram('turn.latency')).toMatchObject({ count: 1 });
    expect(m.value('voice.interruptions')).toBe(1);
    expect(m.value('llm.tokens', { ...labels, token_type: 'input' })).toBe(2 * 70);
    expect(m.value('llm.tokens', { ...labels, token_type: 'input_audio' })).toBe(2 * 50);
    expect(m.value('llm.tokens', { ...labels, token_type: 'output' })).toBe(2 * 50);
    expect(m.value('llm.tokens', { ...labels, token_type: 'output_audio' })).toBe(2 * 40);
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
    const m = await h.collect();
    expect(m.value('errors', { error_type: 'bad_request', component: 'realtime' })).toBe(1);
    expect(m.value('llm.errors', { provider: 'openai', model: 'gpt-realtime', error_type: 'bad_request' })).toBe(1);
  });

  it('rejects what is not a realtime client', () => {
    for (const bad of [null, {}, { on: () => {} }, 'ws']) {
      expect(() => instrumentOpenAIRealtime(bad as never, { meter: h.meter })).toThrow(AgentMeterConfigError);
    }
  });
});
