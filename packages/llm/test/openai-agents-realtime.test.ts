import { createServer } from 'node:net';
import { AgentMeterConfigError, createPricingTable } from '@agentmeter/core';
import { wrapTwiceRuns } from '@agentmeter/core/testing';
import { OpenAIRealtimeWebSocket, RealtimeAgent, RealtimeSession } from '@openai/agents-realtime';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { instrumentRealtimeSession } from '../src/openai-agents-realtime/index.ts';
import { brokenMeter } from './harness.ts';
import { expectSpokenTurnAndInterruption, REALTIME_LABELS, useRealtimeSim } from './realtime-harness.ts';

const env = useRealtimeSim();

/** USD per million tokens; audio at its own rates. */
const PRICES = createPricingTable(
  [
    {
      provider: 'openai',
      model: 'gpt-realtime',
      effective: '2025-01-01',
      unit: 'token',
      input: 4,
      input_audio: 32,
      output: 16,
      output_audio: 64,
    },
  ],
  { file: false },
);

/** A real RealtimeSession whose WebSocket transport talks to the simulator (trusting its certificate). */
function newSession(url = `${env.sim.url.replace('https:', 'wss:')}/v1/realtime?model=gpt-realtime`): RealtimeSession {
  const transport = new OpenAIRealtimeWebSocket({
    url,
    createWebSocket: async ({ url: target, apiKey }) =>
      new WebSocket(target, { ca: env.sim.ca, headers: { Authorization: `Bearer ${apiKey}` } }) as never,
  });
  return new RealtimeSession(new RealtimeAgent({ name: 'assistant', instructions: 'Say something secret.' }), {
    transport,
    model: 'gpt-realtime',
  });
}

const agentEnd = (session: RealtimeSession): Promise<void> =>
  new Promise((resolve) => session.once('agent_end', () => resolve()));

/** One spoken turn (audio committed, a response) and one response the user interrupts. */
async function converse(session: RealtimeSession): Promise<void> {
  await session.connect({ apiKey: 'sk-test-secret' });
  session.sendAudio(new ArrayBuffer(320), { commit: true });
  let done = agentEnd(session);
  session.transport.sendEvent({ type: 'response.create' });
  await done;
  done = agentEnd(session);
  session.once('audio_start', () => session.interrupt());
  session.transport.sendEvent({ type: 'response.create' });
  await done;
  const closed = new Promise((resolve) => session.transport.once('connection_change', resolve));
  session.close();
  await closed;
}

describe('@openai/agents-realtime sessions, the real RealtimeSession and WebSocket transport against the simulator', () => {
  it('records the session, each response with audio and text tokens and cost, turn latency and one interruption', async () => {
    const session = newSession();
    expect(
      instrumentRealtimeSession(session, {
        meter: env.h.meter,
        clock: env.h.clock,
        pricing: PRICES,
        genAiMetrics: false,
      }),
    ).toBe(session);
    const heard: string[] = [];
    session.on('audio_interrupted', () => heard.push('audio_interrupted'));
    session.on('agent_end', () => heard.push('agent_end'));
    await converse(session);
    // The session's behaviour is the SDK's: its events, history and usage.
    expect(heard).toEqual(['agent_end', 'audio_interrupted', 'agent_end']);
    expect(session.usage.requests).toBe(2);

    const m = await env.h.collect();
    expectSpokenTurnAndInterruption(m);
    const labels = REALTIME_LABELS;
    expect(m.histogram('llm.latency', { ...labels, operation: 'realtime' })?.count).toBe(2);
    // The turn: speech stopped (a clock read), the response's start and first audio, then the turn's own read.
    expect(m.histogram('turn.latency')?.sum).toBeCloseTo(0.3, 9);
    // audio_interrupted and the response the SDK then cancelled were one interruption (counted above).
    // Per response: 20 text in at $4, 50 audio in at $32, 10 text out at $16, 40 audio out at $64 per million.
    expect(m.total('api.cost.usd', { ...labels, service: 'llm' })).toBeCloseTo(
      (2 * (20 * 4 + 50 * 32 + 10 * 16 + 40 * 64)) / 1e6,
      12,
    );
    expect(m.value('llm.errors', labels)).toBeUndefined();
    // No prompt, transcript or audio in any label.
    const text = JSON.stringify(m.raw);
    for (const secret of ['secret', 'word', 'assistant', 'sk-test']) expect(text).not.toContain(secret);
  });

  it('a barge-in after the response finished (its audio still playing) is one interruption of that response', async () => {
    const session = instrumentRealtimeSession(newSession(), { meter: env.h.meter });
    await session.connect({ apiKey: 'sk-test-secret' });
    const done = agentEnd(session);
    session.transport.sendEvent({ type: 'response.create' });
    await done;
    const heard = new Promise((resolve) => session.once('audio_interrupted', resolve));
    session.interrupt();
    await heard;
    session.interrupt();
    session.close();
    const m = await env.h.collect();
    expect(m.value('voice.interruptions')).toBe(1);
    expect(m.value('llm.requests', { ...REALTIME_LABELS, operation: 'realtime', status: 'success' })).toBe(1);
  });

  it('instrumented after connect(): a server error event is counted once in the taxonomy, and the session still emits it', async () => {
    const session = newSession();
    const errors: unknown[] = [];
    session.on('error', (error) => errors.push(error));
    await session.connect({ apiKey: 'sk-test-secret' });
    instrumentRealtimeSession(session, { meter: env.h.meter });
    const seen = new Promise((resolve) => session.once('error', resolve));
    (session.transport as OpenAIRealtimeWebSocket).connectionState.websocket?.send('not json');
    await seen;
    session.close();
    expect(errors).toHaveLength(1);
    const m = await env.h.collect();
    expect(m.value('active_sessions')).toBe(0);
    expect(m.value('errors', { error_type: 'bad_request', component: 'realtime' })).toBe(1);
    expect(m.value('llm.errors', { provider: 'openai', model: 'gpt-realtime', error_type: 'bad_request' })).toBe(1);
    expect(m.value('sessions')).toBe(1);
  });

  it('a refused connection is a connection error; connect() still rejects as it would', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const session = instrumentRealtimeSession(newSession(`wss://127.0.0.1:${port}/v1/realtime?model=gpt-realtime`), {
      meter: env.h.meter,
    });
    session.on('error', () => {});
    await expect(session.connect({ apiKey: 'sk-test-secret' })).rejects.toBeDefined();
    const m = await env.h.collect();
    expect(m.value('errors', { error_type: 'connection', component: 'realtime' })).toBe(1);
    expect(m.value('sessions')).toBeUndefined();
  });

  it('a meter that throws everywhere changes nothing for the session', async () => {
    const session = instrumentRealtimeSession(newSession(), { meter: brokenMeter(), pricing: false });
    const heard: string[] = [];
    session.on('agent_end', () => heard.push('agent_end'));
    session.on('audio_interrupted', () => heard.push('audio_interrupted'));
    await converse(session);
    expect(heard).toEqual(['agent_end', 'audio_interrupted', 'agent_end']);
    expect(session.usage.requests).toBe(2);
  });

  it('instrumenting again changes nothing a scrape sees, and warns once when the options differ', async () => {
    const runs = await wrapTwiceRuns(
      () => newSession(),
      (s, o) => instrumentRealtimeSession(s, { clock: env.h.clock, genAiMetrics: false, ...o } as never),
      (s) => converse(s as RealtimeSession),
      (meter) => [{ meter, pricing: false, provider: 'other' }],
    );
    expect(runs.map((run) => run.warnings.length)).toEqual([0, 0, 1]);
    expect(runs[0]!.lines.some((line) => line.includes('voice.interruptions'))).toBe(true);
    expect(runs[1]!.lines).toEqual(runs[0]!.lines);
    expect(runs[2]!.lines).toEqual(runs[0]!.lines);
  });

  it('rejects what is not a RealtimeSession, and bad options, naming them', () => {
    for (const bad of [
      null,
      undefined,
      {},
      'session',
      42,
      { on: () => {} },
      { on: () => {}, transport: {} },
      new RealtimeAgent({ name: 'x' }),
    ]) {
      expect(() => instrumentRealtimeSession(bad as never, { meter: env.h.meter })).toThrow(AgentMeterConfigError);
    }
    for (const options of [
      undefined,
      {},
      { meter: {} },
      { meter: env.h.meter, provider: 'A'.repeat(1000) },
      { meter: env.h.meter, clock: Number.NaN },
    ]) {
      expect(() => instrumentRealtimeSession(newSession(), options as never)).toThrow(AgentMeterConfigError);
    }
  });
});
