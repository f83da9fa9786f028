import { AgentMeterConfigError, createPricingTable } from '@agentmeter/core';
import { wrapTwiceRuns } from '@agentmeter/core/testing';
import { APIStatusError, initializeLogger, llm, type metrics, voice } from '@livekit/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentLiveKitSession } from '../src/livekit/index.ts';
import { brokenMeter, type Harness, startHarness } from './harness.ts';

initializeLogger({ pretty: false, level: 'error' });

/** USD per million tokens, per character and per second. */
const PRICES = createPricingTable(
  [
    {
      provider: 'openai',
      model: 'gpt-4o-mini',
      effective: '2025-01-01',
      unit: 'token',
      input: 1,
      cached_input: 0.5,
      output: 2,
    },
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
    { provider: 'cartesia', model: 'sonic-2', effective: '2025-01-01', unit: 'character', price: 0.00003 },
    { provider: 'deepgram', model: 'nova-3', effective: '2025-01-01', unit: 'second', price: 0.0001 },
  ],
  { file: false },
);

const now = Date.now();
const LLM_META = { modelProvider: 'openai', modelName: 'gpt-4o-mini' };
const TTS_META = { modelProvider: 'cartesia', modelName: 'sonic-2' };

/** The installed version's metrics shapes, as its plugins fill them. */
const stt = (audioDurationMs: number): metrics.STTMetrics => ({
  type: 'stt_metrics',
  label: 'lk.stt',
  requestId: 'stt_1',
  timestamp: now,
  durationMs: 0,
  audioDurationMs,
  streamed: true,
  metadata: { modelProvider: 'deepgram', modelName: 'nova-3' },
});
const eou = (speechId: string): metrics.EOUMetrics => ({
  type: 'eou_metrics',
  timestamp: now,
  endOfUtteranceDelayMs: 300,
  transcriptionDelayMs: 120,
  onUserTurnCompletedDelayMs: 2,
  lastSpeakingTimeMs: now - 400,
  speechId,
});
const llmMetrics = (speechId: string, cancelled = false): metrics.LLMMetrics => ({
  type: 'llm_metrics',
  label: 'lk.llm',
  requestId: `llm_${speechId}`,
  timestamp: now,
  durationMs: 900,
  ttftMs: 250,
  cancelled,
  completionTokens: 30,
  promptTokens: 120,
  promptCachedTokens: 20,
  totalTokens: 150,
  tokensPerSecond: 33,
  speechId,
  metadata: LLM_META,
});
const tts = (speechId: string, cancelled = false): metrics.TTSMetrics => ({
  type: 'tts_metrics',
  label: 'lk.tts',
  requestId: `tts_${speechId}`,
  timestamp: now,
  ttfbMs: 150,
  durationMs: 700,
  audioDurationMs: 2500,
  cancelled,
  charactersCount: 42,
  streamed: true,
  speechId,
  metadata: TTS_META,
});
const realtime: metrics.RealtimeModelMetrics = {
  type: 'realtime_model_metrics',
  label: 'lk.realtime',
  requestId: 'resp_1',
  timestamp: now,
  durationMs: 1200,
  ttftMs: 400,
  cancelled: false,
  inputTokens: 70,
  outputTokens: 50,
  totalTokens: 120,
  tokensPerSecond: 40,
  inputTokenDetails: { audioTokens: 50, textTokens: 20, imageTokens: 0, cachedTokens: 0 },
  outputTokenDetails: { textTokens: 10, audioTokens: 40, imageTokens: 0 },
  metadata: { modelProvider: 'openai', modelName: 'gpt-realtime' },
};
const vad: metrics.VADMetrics = {
  type: 'vad_metrics',
  label: 'lk.vad',
  timestamp: now,
  idleTimeMs: 10,
  inferenceDurationTotalMs: 3,
  inferenceCount: 30,
};

/** An LLM as a plugin defines one: the source of a session's error events. */
class TestLLM extends llm.LLM {
  label(): string {
    return 'test.LLM';
  }
  override get model(): string {
    return 'gpt-4o-mini';
  }
  override get provider(): string {
    return 'openai';
  }
  chat(): never {
    throw new Error('not used');
  }
}

/** A real AgentSession, started without a room (no LiveKit server). */
async function startedSession(): Promise<voice.AgentSession> {
  const session = new voice.AgentSession({});
  await session.start({ agent: new voice.Agent({ instructions: 'Say something secret.' }) });
  return session;
}

const collected = (session: voice.AgentSession, m: metrics.AgentMetrics): boolean =>
  session.emit(voice.AgentSessionEventTypes.MetricsCollected, voice.createMetricsCollectedEvent({ metrics: m }));

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('LiveKit agents-js, a real AgentSession and its metrics events', () => {
  it('turns a spoken turn, an interrupted reply and a realtime response into the catalog series', async () => {
    const session = new voice.AgentSession({});
    expect(instrumentLiveKitSession(session, { meter: h.meter, pricing: PRICES, genAiMetrics: false })).toBe(session);
    const seen: string[] = [];
    session.on(voice.AgentSessionEventTypes.MetricsCollected, (event) => seen.push(event.metrics.type));
    await session.start({ agent: new voice.Agent({ instructions: 'Say something secret.' }) });
    for (const m of [
      stt(2000),
      eou('speech_1'),
      llmMetrics('speech_1'),
      tts('speech_1'),
      vad,
      eou('speech_2'),
      llmMetrics('speech_2', true),
      tts('speech_2', true),
      realtime,
    ]) {
      collected(session, m);
    }
    await session.close();
    expect(seen).toHaveLength(9);

    const m = await h.collect();
    expect(m.value('sessions')).toBe(1);
    expect(m.value('active_sessions')).toBe(0);
    expect(m.histogram('session.duration')?.count).toBe(1);

    const gpt = { provider: 'openai', model: 'gpt-4o-mini' };
    expect(m.value('llm.requests', { ...gpt, operation: 'chat', status: 'success' })).toBe(1);
    expect(m.value('llm.requests', { ...gpt, operation: 'chat', status: 'error' })).toBe(1);
    expect(m.value('llm.errors', { ...gpt, error_type: 'cancelled' })).toBe(1);
    expect(m.histogram('llm.latency', { ...gpt, operation: 'chat' })).toMatchObject({ count: 2 });
    expect(m.histogram('llm.latency', { ...gpt, operation: 'chat' })?.sum).toBeCloseTo(1.8, 6);
    expect(m.histogram('llm.time_to_first_token', gpt)?.sum).toBeCloseTo(0.5, 6);
    expect(m.value('llm.tokens', { ...gpt, token_type: 'input' })).toBe(2 * 100);
    expect(m.value('llm.tokens', { ...gpt, token_type: 'cached_input' })).toBe(2 * 20);
    expect(m.value('llm.tokens', { ...gpt, token_type: 'output' })).toBe(2 * 30);
    expect(m.total('api.cost.usd', { ...gpt, service: 'llm' })).toBeCloseTo(
      (2 * (100 * 1 + 20 * 0.5 + 30 * 2)) / 1e6,
      12,
    );

    const sonic = { provider: 'cartesia', model: 'sonic-2' };
    expect(m.value('tts.requests', { ...sonic, status: 'success' })).toBe(1);
    expect(m.value('tts.requests', { ...sonic, status: 'error' })).toBe(1);
    expect(m.value('tts.errors', { ...sonic, error_type: 'cancelled' })).toBe(1);
    expect(m.histogram('tts.latency', { ...sonic, status: 'success' })?.sum).toBeCloseTo(0.7, 9);
    expect(m.histogram('tts.time_to_first_audio', sonic)).toMatchObject({ count: 2 });
    expect(m.histogram('tts.time_to_first_audio', sonic)?.sum).toBeCloseTo(0.3, 9);
    expect(m.value('tts.characters', sonic)).toBe(84);
    expect(m.value('tts.audio', sonic)).toBeCloseTo(5, 9);
    expect(m.total('api.cost.usd', { ...sonic, service: 'tts' })).toBeCloseTo(84 * 0.00003, 12);

    const nova = { provider: 'deepgram', model: 'nova-3' };
    expect(m.value('stt.audio', nova)).toBeCloseTo(2, 9);
    expect(m.value('stt.requests', { ...nova, status: 'success' })).toBeUndefined();
    // The streamed STT's latency: each end of utterance's transcription delay.
    expect(m.histogram('stt.latency', { ...nova, status: 'success' })).toMatchObject({ count: 2 });
    expect(m.histogram('stt.latency', { ...nova, status: 'success' })?.sum).toBeCloseTo(0.24, 9);
    expect(m.total('api.cost.usd', { ...nova, service: 'stt' })).toBeCloseTo(2 * 0.0001, 12);

    const rt = { provider: 'openai', model: 'gpt-realtime' };
    expect(m.value('llm.requests', { ...rt, operation: 'realtime', status: 'success' })).toBe(1);
    expect(m.histogram('llm.time_to_first_token', rt)?.sum).toBeCloseTo(0.4, 6);
    expect(m.value('llm.tokens', { ...rt, token_type: 'input_audio' })).toBe(50);
    expect(m.value('llm.tokens', { ...rt, token_type: 'output_audio' })).toBe(40);
    expect(m.total('api.cost.usd', { ...rt, service: 'llm' })).toBeCloseTo(
      (20 * 4 + 50 * 32 + 10 * 16 + 40 * 64) / 1e6,
      12,
    );

    // Both replies had end of utterance, first token and first byte: 300 + 250 + 150 ms each.
    expect(m.histogram('turn.latency')).toMatchObject({ count: 2 });
    expect(m.histogram('turn.latency')?.sum).toBeCloseTo(1.4, 9);
    // The second reply's LLM and TTS were both cancelled: one interruption.
    expect(m.value('voice.interruptions')).toBe(1);
    expect(JSON.stringify(m.raw)).not.toContain('secret');
  });

  it('error events are counted by family in the taxonomy; an error nobody listens for still throws as it did', async () => {
    const session = await startedSession();
    instrumentLiveKitSession(session, { meter: h.meter });
    const rateLimited: Parameters<typeof voice.createErrorEvent>[0] = {
      type: 'llm_error',
      timestamp: now,
      label: 'test.LLM',
      recoverable: true,
      error: new APIStatusError({ message: 'Too many requests', options: { statusCode: 429 } }),
    };
    expect(() =>
      session.emit(voice.AgentSessionEventTypes.Error, voice.createErrorEvent(rateLimited, new TestLLM())),
    ).toThrow(/Unhandled error/);
    const errors: unknown[] = [];
    session.on(voice.AgentSessionEventTypes.Error, (event) => errors.push(event));
    session.emit(voice.AgentSessionEventTypes.Error, voice.createErrorEvent(rateLimited, new TestLLM()));
    await session.close();
    expect(errors).toHaveLength(1);
    const m = await h.collect();
    expect(m.value('llm.errors', { provider: 'openai', model: 'gpt-4o-mini', error_type: 'rate_limit' })).toBe(2);
    expect(m.value('errors', { error_type: 'rate_limit', component: 'llm' })).toBe(2);
  });

  it('a meter that throws everywhere changes nothing for the session', async () => {
    const session = instrumentLiveKitSession(new voice.AgentSession({}), { meter: brokenMeter(), pricing: false });
    const seen: string[] = [];
    session.on(voice.AgentSessionEventTypes.MetricsCollected, (event) => seen.push(event.metrics.type));
    session.on(voice.AgentSessionEventTypes.Error, (event) => seen.push(event.type));
    await session.start({ agent: new voice.Agent({ instructions: 'x' }) });
    for (const m of [stt(1000), eou('speech_1'), llmMetrics('speech_1'), tts('speech_1', true), realtime, vad])
      expect(collected(session, m)).toBe(true);
    session.emit(
      voice.AgentSessionEventTypes.Error,
      voice.createErrorEvent({
        type: 'tts_error',
        timestamp: now,
        label: 'x',
        error: new Error('boom'),
        recoverable: true,
      }),
    );
    await session.close();
    expect(seen).toEqual([
      'stt_metrics',
      'eou_metrics',
      'llm_metrics',
      'tts_metrics',
      'realtime_model_metrics',
      'vad_metrics',
      'error',
    ]);
  });

  it('instrumenting again changes nothing a scrape sees, and warns once when the options differ', async () => {
    const runs = await wrapTwiceRuns(
      () => new voice.AgentSession({}),
      (s, o) => instrumentLiveKitSession(s, { genAiMetrics: false, ...o } as never),
      async (s) => {
        const session = s as voice.AgentSession;
        await session.start({ agent: new voice.Agent({ instructions: 'x' }) });
        for (const m of [eou('speech_1'), llmMetrics('speech_1'), tts('speech_1', true)]) collected(session, m);
        await session.close();
      },
      (meter) => [{ meter, pricing: false, provider: 'other' }],
    );
    expect(runs.map((run) => run.warnings.length)).toEqual([0, 0, 1]);
    expect(runs[0]!.lines.some((line) => line.includes('turn.latency'))).toBe(true);
    expect(runs[1]!.lines).toEqual(runs[0]!.lines);
    expect(runs[2]!.lines).toEqual(runs[0]!.lines);
  });

  it('hostile metrics events record nothing wrong and never reach the session', async () => {
    const meterH = await startHarness();
    const session = instrumentLiveKitSession(new voice.AgentSession({}), { meter: meterH.meter, genAiMetrics: false });
    const hostile: unknown[] = [
      null,
      42,
      'metrics',
      { type: 'llm_metrics' },
      { type: 'nonsense_metrics', durationMs: 1 },
      {
        ...llmMetrics('s'),
        durationMs: Number.NaN,
        ttftMs: -1,
        promptTokens: Number.POSITIVE_INFINITY,
        completionTokens: -5,
        speechId: 7,
      },
      {
        ...tts('s'),
        ttfbMs: Number.NaN,
        durationMs: -3,
        charactersCount: 'many',
        audioDurationMs: Number.POSITIVE_INFINITY,
        metadata: { modelProvider: 'X'.repeat(10_000), modelName: 42 },
      },
      { ...stt(Number.NaN), streamed: false, durationMs: Number.NEGATIVE_INFINITY },
      { ...eou('s'), endOfUtteranceDelayMs: Number.NaN, transcriptionDelayMs: -1 },
      {
        get type(): string {
          throw new Error('hostile getter');
        },
      },
    ];
    for (const m of hostile)
      expect(() =>
        session.emit(voice.AgentSessionEventTypes.MetricsCollected, {
          type: 'metrics_collected',
          metrics: m as metrics.AgentMetrics,
          createdAt: now,
        }),
      ).not.toThrow();
    const m = await meterH.collect();
    const text = JSON.stringify(m.raw);
    expect(text).not.toContain('XXXX');
    expect(text).not.toContain('NaN');
    expect(text).not.toContain('Infinity');
    expect(m.value('llm.tokens', { provider: 'openai', model: 'gpt-4o-mini', token_type: 'output' })).toBeUndefined();
    expect(m.value('tts.characters', { provider: 'unknown', model: 'unknown' })).toBeUndefined();
    expect(m.histogram('turn.latency')).toBeUndefined();
    await meterH.close();
  });

  it('rejects what is not an AgentSession, and bad options, naming them', () => {
    for (const bad of [null, undefined, {}, 'session', 42, { on: () => {} }, new voice.Agent({ instructions: 'x' })]) {
      expect(() => instrumentLiveKitSession(bad as never, { meter: h.meter })).toThrow(AgentMeterConfigError);
    }
    for (const options of [
      undefined,
      {},
      { meter: {} },
      { meter: h.meter, provider: 'A'.repeat(1000) },
      { meter: h.meter, clock: 'now' },
      { meter: h.meter, pricing: 'free' },
    ]) {
      expect(() => instrumentLiveKitSession(new voice.AgentSession({}), options as never)).toThrow(
        AgentMeterConfigError,
      );
    }
  });
});
