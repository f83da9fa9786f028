import { AgentMeterConfigError, createPricingTable } from '@agentmeter/core';
import { GEMINI_LIVE_BAD_KEY, type GeminiLiveSim, refusedPort, startGeminiLiveSim } from '@agentmeter/provider-sim';
import { GoogleGenAI, type LiveConnectParameters, type LiveServerMessage, Modality, type Session } from '@google/genai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { geminiLiveUsage, instrumentGeminiLive } from '../src/index.ts';
import { geminiCloseErrorType } from '../src/realtime/gemini-live-parts.ts';
import { type Harness, startHarness } from './harness.ts';

const MODEL = 'gemini-live-2.5-flash-preview';
const AUDIO = { data: Buffer.alloc(640).toString('base64'), mimeType: 'audio/pcm;rate=16000' };
let h: Harness;
let sim: GeminiLiveSim;
const sims: GeminiLiveSim[] = [];
beforeEach(async () => {
  h = await startHarness();
  sim = await startGeminiLiveSim({ audioChunks: 4, chunkMs: 5 });
});
afterEach(async () => {
  await Promise.all([sim, ...sims.splice(0)].map((s) => s.close()));
  await h.close();
});

const client = (url = sim.url, apiKey = 'AIza-test'): GoogleGenAI =>
  new GoogleGenAI({ apiKey, httpOptions: { baseUrl: url } });

/** A Live session whose messages the test reads in order, with a promise per next turnComplete and the close. */
interface Live {
  readonly session: Session;
  readonly messages: LiveServerMessage[];
  turnComplete(): Promise<void>;
  readonly closed: Promise<{ code: number }>;
}

async function connect(
  ai: GoogleGenAI,
  extra: Partial<LiveConnectParameters> = {},
  onMessage?: (m: LiveServerMessage, s: () => Session) => void,
): Promise<Live> {
  const messages: LiveServerMessage[] = [];
  const waiters: (() => void)[] = [];
  let resolveClosed!: (e: { code: number }) => void;
  const closed = new Promise<{ code: number }>((resolve) => (resolveClosed = resolve));
  let session: Session | undefined;
  session = await ai.live.connect({
    model: MODEL,
    config: { responseModalities: [Modality.AUDIO] },
    ...extra,
    callbacks: {
      onmessage: (m) => {
        messages.push(m);
        onMessage?.(m, () => session!);
        if (m.serverContent?.turnComplete === true) waiters.shift()?.();
      },
      onclose: (e) => resolveClosed(e),
    },
  });
  return { session, messages, closed, turnComplete: () => new Promise<void>((resolve) => waiters.push(resolve)) };
}

/** Two turns: audio ended by audioStreamEnd; then text, barged in on at its first audio (activityStart). */
async function twoTurns(ai: GoogleGenAI): Promise<Live> {
  let bargeIn = false;
  const live = await connect(ai, {}, (m, session) => {
    if (bargeIn && m.serverContent?.modelTurn !== undefined) {
      bargeIn = false;
      session().sendRealtimeInput({ activityStart: {} });
    }
  });
  let done = live.turnComplete();
  live.session.sendRealtimeInput({ audio: AUDIO });
  live.session.sendRealtimeInput({ audioStreamEnd: true });
  await done;
  done = live.turnComplete();
  bargeIn = true;
  live.session.sendClientContent({ turns: 'What about tomorrow?', turnComplete: true });
  await done;
  live.session.close();
  await live.closed;
  return live;
}

/** Sends one user turn, waits for the model's turnComplete, then closes the session. */
async function oneTurn(
  live: Live,
  send: (session: Session) => void,
  afterTurn?: () => Promise<unknown>,
): Promise<void> {
  const done = live.turnComplete();
  send(live.session);
  await done;
  await afterTurn?.();
  live.session.close();
  await live.closed;
}

const boom = (): never => {
  throw new Error('recording failed');
};

const kinds = (messages: readonly LiveServerMessage[]): string[] =>
  messages.map((m) => Object.keys(m).toSorted().join('+'));

describe('Gemini Live sessions, the real @google/genai client against the simulator', () => {
  it('records the session, each model turn with audio and text tokens and cost, turn latency and an interruption', async () => {
    const plain = await twoTurns(client());
    const ai = instrumentGeminiLive(client(), { meter: h.meter, clock: h.clock });
    const live = await twoTurns(ai);
    // The caller's callbacks got the same messages, in the same order, as without the wrapper.
    expect(kinds(live.messages)).toEqual(kinds(plain.messages));
    // connect resolves to the SDK's own Session, its prototype untouched (only the instance's send methods are observed).
    expect(Object.getPrototypeOf(live.session)).toBe(Object.getPrototypeOf(plain.session));
    expect(Object.hasOwn(Object.getPrototypeOf(live.session) as object, 'sendClientContent')).toBe(true);
    expect(live.messages.some((m) => m.serverContent?.interrupted === true)).toBe(true);
    expect(live.messages.filter((m) => m.data !== undefined)).toHaveLength(4 + 1);

    const m = await h.collect();
    const labels = { provider: 'google', model: MODEL };
    expect(m.value('sessions')).toBe(1);
    expect(m.value('active_sessions')).toBe(0);
    expect(m.histogram('session.duration')?.count).toBe(1);
    expect(m.value('llm.requests', { ...labels, operation: 'realtime', status: 'success' })).toBe(2);
    expect(m.value('llm.requests', { ...labels, operation: 'realtime', status: 'error' })).toBeUndefined();
    expect(m.histogram('llm.time_to_first_token', labels)?.count).toBe(2);
    // Both turns ended on a user signal (audioStreamEnd, then clientContent): two turn latencies.
    const turns = m.histogram('turn.latency');
    expect(turns?.count).toBe(2);
    expect(turns?.sum).toBeGreaterThan(0);
    expect(m.value('voice.interruptions')).toBe(1);
    expect(m.value('llm.tokens', { ...labels, token_type: 'input' })).toBe(2 * 80);
    expect(m.value('llm.tokens', { ...labels, token_type: 'input_audio' })).toBe(2 * 60);
    expect(m.value('llm.tokens', { ...labels, token_type: 'output' })).toBe(2 * 60);
    expect(m.value('llm.tokens', { ...labels, token_type: 'output_audio' })).toBe(2 * 48);
    // The bundled gemini-live-2.5-flash row: text in 0.5, audio in 3, text out 2, audio out 12 USD per million.
    expect(m.total('api.cost.usd', { provider: 'google', model: MODEL, service: 'llm' })).toBeCloseTo(
      (2 * (20 * 0.5 + 60 * 3 + 12 * 2 + 48 * 12)) / 1e6,
      12,
    );
    expect(m.value('errors')).toBeUndefined();
  });

  it('counts the tool calls a model turn asks for; the turn goes on after the tool response', async () => {
    const ai = instrumentGeminiLive(client(), { meter: h.meter, clock: h.clock, pricing: false });
    const live = await connect(
      ai,
      { config: { tools: [{ functionDeclarations: [{ name: 'lookup_order' }] }] } },
      (m, session) => {
        const call = m.toolCall?.functionCalls?.[0];
        if (call !== undefined)
          session().sendToolResponse({
            functionResponses: [{ id: call.id, name: call.name, response: { status: 'shipped' } }],
          });
      },
    );
    await oneTurn(live, (session) => session.sendClientContent({ turns: 'Where is my order?' }));
    const m = await h.collect();
    expect(m.value('llm.tool_calls', { provider: 'google', model: MODEL, tool: 'lookup_order' })).toBe(1);
    expect(
      m.value('llm.requests', { provider: 'google', model: MODEL, operation: 'realtime', status: 'success' }),
    ).toBe(1);
  });

  it('a server close mid-turn fails the turn in the taxonomy (1011 quota is rate_limit) and ends the session', async () => {
    const failing = await startGeminiLiveSim({
      closeInTurn: { turn: 1, code: 1011, reason: 'RESOURCE_EXHAUSTED: You exceeded your current quota.' },
    });
    sims.push(failing);
    const live = await connect(instrumentGeminiLive(client(failing.url), { meter: h.meter, clock: h.clock }));
    live.session.sendClientContent({ turns: 'hello' });
    expect((await live.closed).code).toBe(1011);
    const m = await h.collect();
    const labels = { provider: 'google', model: MODEL };
    expect(m.value('llm.requests', { ...labels, operation: 'realtime', status: 'error' })).toBe(1);
    expect(m.value('llm.errors', { ...labels, error_type: 'rate_limit' })).toBe(1);
    expect(m.value('errors', { error_type: 'rate_limit', component: 'llm' })).toBe(1);
    expect(m.value('active_sessions')).toBe(0);
    expect(m.histogram('session.duration')?.count).toBe(1);
  });

  it('a refused setup (wrong key: close 1008) and a refused connection are errors, not sessions; connect still rejects', async () => {
    const ai = instrumentGeminiLive(client(sim.url, GEMINI_LIVE_BAD_KEY), { meter: h.meter, clock: h.clock });
    await expect(connect(ai)).rejects.toThrow(/1008/);
    const refused = instrumentGeminiLive(client(`http://127.0.0.1:${await refusedPort()}`), {
      meter: h.meter,
      clock: h.clock,
    });
    await expect(connect(refused)).rejects.toThrow(/before setup completed/);
    const m = await h.collect();
    expect(m.value('llm.errors', { provider: 'google', model: MODEL, error_type: 'auth' })).toBe(1);
    expect(m.value('errors', { error_type: 'auth', component: 'realtime' })).toBe(1);
    expect(m.value('llm.errors', { provider: 'google', model: MODEL, error_type: 'connection' })).toBe(1);
    expect(m.value('errors', { error_type: 'connection', component: 'realtime' })).toBe(1);
    expect(m.value('sessions')).toBeUndefined();
  });

  it('goAway and a normal close are no errors', async () => {
    const announcing = await startGeminiLiveSim({ goAwayAfterTurns: 1 });
    sims.push(announcing);
    const live = await connect(instrumentGeminiLive(client(announcing.url), { meter: h.meter, clock: h.clock }));
    await oneTurn(
      live,
      (session) => session.sendRealtimeInput({ text: 'hi' }),
      () => new Promise((resolve) => setTimeout(resolve, 20)),
    );
    expect(live.messages.some((message) => message.goAway !== undefined)).toBe(true);
    const m = await h.collect();
    expect(m.value('errors')).toBeUndefined();
    expect(
      m.value('llm.requests', { provider: 'google', model: MODEL, operation: 'realtime', status: 'success' }),
    ).toBe(1);
  });

  it('a Vertex AI client is labelled google_vertex, with the model as the caller named it', async () => {
    const vertex = new GoogleGenAI({ vertexai: true, apiKey: 'AIza-test', httpOptions: { baseUrl: sim.url } });
    // Given the live module, the wrapper asks its API client whether it talks to Vertex AI.
    instrumentGeminiLive(vertex.live, { meter: h.meter, clock: h.clock });
    const live = await connect(vertex, { model: 'gemini-live-2.5-flash' });
    await oneTurn(live, (session) => session.sendClientContent({ turns: 'hi' }));
    expect(sim.setups).toEqual([expect.objectContaining({ model: 'publishers/google/models/gemini-live-2.5-flash' })]);
    const m = await h.collect();
    expect(
      m.value('llm.requests', {
        provider: 'google_vertex',
        model: 'gemini-live-2.5-flash',
        operation: 'realtime',
        status: 'success',
      }),
    ).toBe(1);
    expect(
      m.value('llm.tokens', { provider: 'google_vertex', model: 'gemini-live-2.5-flash', token_type: 'output_audio' }),
    ).toBe(48);
  });

  it('wrapping twice (the client, then its live module) records each session once', async () => {
    const ai = client();
    const options = { meter: h.meter, clock: h.clock };
    expect(instrumentGeminiLive(ai, options)).toBe(ai);
    expect(instrumentGeminiLive(ai.live, options)).toBe(ai.live);
    instrumentGeminiLive(ai, options);
    const live = await connect(ai);
    await oneTurn(live, (session) => session.sendClientContent({ turns: 'hi' }));
    const m = await h.collect();
    expect(m.value('sessions')).toBe(1);
    expect(
      m.value('llm.requests', { provider: 'google', model: MODEL, operation: 'realtime', status: 'success' }),
    ).toBe(1);
    expect(m.histogram('turn.latency')?.count).toBe(1);
  });

  it('rejects what is not a Live module and bad options, naming them', () => {
    for (const bad of [null, undefined, {}, { connect: 1 }, { live: {} }, 'ai', 42, Number.NaN]) {
      expect(() => instrumentGeminiLive(bad as never, { meter: h.meter })).toThrow(AgentMeterConfigError);
    }
    const ai = client();
    for (const options of [
      null,
      {},
      { meter: null },
      { meter: h.meter, provider: 'Bad Label!' },
      { meter: h.meter, provider: Number.POSITIVE_INFINITY },
      { meter: h.meter, clock: 5 },
      { meter: h.meter, pricing: 'cheap' },
      { meter: h.meter, attributes: { model: 'x' } },
    ]) {
      expect(() => instrumentGeminiLive(ai, options as never)).toThrow(AgentMeterConfigError);
    }
    expect(() =>
      instrumentGeminiLive(ai, { meter: h.meter, pricing: createPricingTable(undefined, { file: false }) }),
    ).not.toThrow();
  });

  it('hostile connect parameters reach the SDK as they would unwrapped; an over-long model name is replaced; no content becomes a label', async () => {
    const plain = client();
    const wrapped = instrumentGeminiLive(client(), { meter: h.meter, clock: h.clock });
    for (const params of [null, 'model', 7]) {
      const expected = await plain.live.connect(params as never).then(
        () => 'resolved',
        (e: Error) => e.message,
      );
      await expect(
        wrapped.live.connect(params as never).then(
          () => 'resolved',
          (e: Error) => e.message,
        ),
      ).resolves.toBe(expected);
    }
    const live = await connect(wrapped, { model: `models/${'x'.repeat(200)}` });
    await oneTurn(live, (session) => session.sendClientContent({ turns: 'secret prompt text' }));
    const m = await h.collect();
    expect(JSON.stringify(m.raw)).not.toContain('secret prompt text');
    // Over-long label values are replaced by core's safety layer.
    expect(
      m.value('llm.requests', { provider: 'google', model: '_too_long', operation: 'realtime', status: 'success' }),
    ).toBe(1);
  });

  it('a meter that throws while recording never reaches the client: every message still arrives', async () => {
    const ai = instrumentGeminiLive(client(), { meter: h.meter, clock: h.clock });
    Object.assign(h.meter.instruments.turnLatency, { record: boom });
    Object.assign(h.meter.instruments.voiceInterruptions, { add: boom });
    const plain = await twoTurns(client());
    const live = await twoTurns(ai);
    expect(kinds(live.messages)).toEqual(kinds(plain.messages));
  });
});

describe('Gemini Live usage and close codes', () => {
  it('reads usageMetadata by modality; NaN, negative, infinite and non-numeric counts are dropped', () => {
    expect(
      geminiLiveUsage({
        promptTokenCount: 100,
        cachedContentTokenCount: 10,
        toolUsePromptTokenCount: 5,
        responseTokenCount: 40,
        thoughtsTokenCount: 4,
        promptTokensDetails: [
          { modality: 'TEXT', tokenCount: 30 },
          { modality: 'AUDIO', tokenCount: 70 },
        ],
        cacheTokensDetails: [{ modality: 'AUDIO', tokenCount: 10 }],
        responseTokensDetails: [
          { modality: 'AUDIO', tokenCount: 36 },
          { modality: 'TEXT', tokenCount: 4 },
        ],
      }),
    ).toEqual({ input: 95, cached_input: 10, input_audio: 60, output: 44, reasoning: 4, output_audio: 36 });
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY, '12', null, {}]) {
      expect(
        geminiLiveUsage({
          promptTokenCount: bad,
          responseTokenCount: bad,
          responseTokensDetails: [{ modality: 'AUDIO', tokenCount: bad }],
        }),
      ).toBeUndefined();
    }
    for (const bad of [undefined, null, 'usage', 42, []]) expect(geminiLiveUsage(bad)).toBeUndefined();
  });

  it('maps close codes and reasons to the taxonomy; normal closes are no errors', () => {
    expect(geminiCloseErrorType(1000, '', true, false)).toBeUndefined();
    expect(geminiCloseErrorType(1005, undefined, true, false)).toBeUndefined();
    expect(geminiCloseErrorType(1001, 'going away', true, true)).toBeUndefined();
    expect(geminiCloseErrorType(1001, 'going away', true, false)).toBe('stream_error');
    expect(geminiCloseErrorType(1007, 'Request contains an invalid argument.', true, false)).toBe('bad_request');
    expect(geminiCloseErrorType(1008, 'API key not valid. Please pass a valid API key.', true, false)).toBe('auth');
    expect(geminiCloseErrorType(1008, 'Policy violation', true, false)).toBe('bad_request');
    expect(geminiCloseErrorType(1011, 'RESOURCE_EXHAUSTED: You exceeded your current quota', true, false)).toBe(
      'rate_limit',
    );
    expect(geminiCloseErrorType(1011, 'Deadline expired before operation could complete.', true, false)).toBe(
      'timeout',
    );
    expect(geminiCloseErrorType(1011, 'Internal error encountered.', true, false)).toBe('server_error');
    expect(geminiCloseErrorType(1013, '', true, false)).toBe('server_error');
    expect(geminiCloseErrorType(1006, '', true, false)).toBe('stream_error');
    expect(geminiCloseErrorType(1006, '', false, false)).toBe('connection');
    for (const code of [Number.NaN, -1, '1011', null, undefined])
      expect(geminiCloseErrorType(code, 'x'.repeat(100_000), true, false)).toBe('stream_error');
  });
});
