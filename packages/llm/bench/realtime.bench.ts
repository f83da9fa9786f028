import { once } from 'node:events';
import { createAgentMeter, createPricingTable } from '@agentmeter/core';
import {
  type GeminiLiveSim,
  type OpenAIRealtimeSim,
  startGeminiLiveSim,
  startOpenAIRealtimeSim,
} from '@agentmeter/provider-sim';
import { GoogleGenAI, type Session } from '@google/genai';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { type AsyncComparison, compareAsync } from '../../../scripts/bench-async.ts';
import { fmt, ratio, table } from '../../../scripts/bench-kit.ts';
import { instrumentGeminiLive, instrumentOpenAIRealtime, type LlmInstrumentOptions } from '../src/index.ts';

const AUDIO = Buffer.alloc(960).toString('base64');
const DELTAS = 6;

/** One OpenAI Realtime response as the server sends it: end of speech, 6 audio + 6 transcript deltas, done with usage. */
const OPENAI_RESPONSE: readonly Buffer[] = [
  { type: 'input_audio_buffer.speech_stopped', audio_end_ms: 1000, item_id: 'item_1' },
  {
    type: 'response.created',
    response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] },
  },
  ...Array.from({ length: DELTAS }, () => [
    {
      type: 'response.output_audio.delta',
      response_id: 'resp_1',
      item_id: 'item_2',
      output_index: 0,
      content_index: 0,
      delta: AUDIO,
    },
    {
      type: 'response.output_audio_transcript.delta',
      response_id: 'resp_1',
      item_id: 'item_2',
      output_index: 0,
      content_index: 0,
      delta: 'word ',
    },
  ]).flat(),
  {
    type: 'response.done',
    response: {
      id: 'resp_1',
      object: 'realtime.response',
      status: 'completed',
      output: [],
      usage: {
        total_tokens: 120,
        input_tokens: 70,
        output_tokens: 50,
        input_token_details: { text_tokens: 20, audio_tokens: 50, cached_tokens: 0 },
        output_token_details: { text_tokens: 10, audio_tokens: 40 },
      },
    },
  },
].map((event, i) => Buffer.from(JSON.stringify({ event_id: `ev_${i}`, ...event })));

/** One Gemini Live model turn: ACTIVITY_END, 6 audio parts + 6 transcriptions, generationComplete, turnComplete with usage. */
const GEMINI_TURN: readonly Buffer[] = [
  { voiceActivity: { voiceActivityType: 'ACTIVITY_END' } },
  ...Array.from({ length: DELTAS }, () => [
    {
      serverContent: {
        modelTurn: { role: 'model', parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: AUDIO } }] },
      },
    },
    { serverContent: { outputTranscription: { text: 'word ' } } },
  ]).flat(),
  { serverContent: { generationComplete: true } },
  {
    serverContent: { turnComplete: true },
    usageMetadata: {
      promptTokenCount: 80,
      responseTokenCount: 60,
      totalTokenCount: 140,
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: 20 },
        { modality: 'AUDIO', tokenCount: 60 },
      ],
      responseTokensDetails: [
        { modality: 'TEXT', tokenCount: 12 },
        { modality: 'AUDIO', tokenCount: 48 },
      ],
    },
  },
].map((message) => Buffer.from(JSON.stringify(message)));

interface Emitter {
  emit(event: string, ...args: unknown[]): boolean;
}

interface SyncComparison {
  readonly plain: number;
  readonly wrapped: number;
  readonly delta: number;
}

const median = (values: readonly number[]): number => values.toSorted((x, y) => x - y)[Math.floor(values.length / 2)]!;

/** CPU ns of this process per call: other processes' load on a shared machine does not count. */
function nsPer(fn: () => void, iterations: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) fn();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / iterations;
}

/** CPU ns per call of each, rounds alternating, the overhead the median of the per-round differences. */
function compareSync(plain: () => void, wrapped: () => void, iterations: number, rounds: number): SyncComparison {
  nsPer(plain, iterations);
  nsPer(wrapped, iterations);
  const plains: number[] = [];
  const wrappeds: number[] = [];
  const deltas: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0;
    const a = nsPer(first ? plain : wrapped, iterations);
    const b = nsPer(first ? wrapped : plain, iterations);
    const [p, w] = first ? [a, b] : [b, a];
    plains.push(p);
    wrappeds.push(w);
    deltas.push(w - p);
  }
  return { plain: median(plains), wrapped: median(wrappeds), delta: median(deltas) };
}

/** Feeds a response's frames to a socket's `message` listeners: the client's own parsing and dispatch, no network. */
const feed =
  (socket: Emitter, frames: readonly Buffer[]): (() => void) =>
  () => {
    for (const frame of frames) socket.emit('message', frame, true);
  };

async function openAIClient(sim: OpenAIRealtimeSim, options?: LlmInstrumentOptions): Promise<OpenAIRealtimeWS> {
  const openai = new OpenAI({ apiKey: 'sk-bench', baseURL: `${sim.url}/v1` });
  const created = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: sim.ca } }, openai);
  const rt = options === undefined ? created : instrumentOpenAIRealtime(created, options);
  rt.on('event', () => undefined);
  await once(rt.socket, 'open');
  return rt;
}

async function openAISession(sim: OpenAIRealtimeSim, options?: LlmInstrumentOptions): Promise<void> {
  const rt = await openAIClient(sim, options);
  rt.close();
  await once(rt.socket, 'close');
}

async function geminiSession(sim: GeminiLiveSim, options?: LlmInstrumentOptions): Promise<Session> {
  const created = new GoogleGenAI({ apiKey: 'AIza-bench', httpOptions: { baseUrl: sim.url } });
  const ai = options === undefined ? created : instrumentGeminiLive(created, options);
  return ai.live.connect({ model: 'gemini-live-2.5-flash-preview', callbacks: { onmessage: () => undefined } });
}

/** The socket a Gemini Live session reads from (the SDK's NodeWebSocket keeps the ws WebSocket as `ws`). */
const geminiSocket = (session: Session): Emitter => (session.conn as unknown as { ws: Emitter }).ws;

async function geminiOpenClose(sim: GeminiLiveSim, options?: LlmInstrumentOptions): Promise<void> {
  const session = await geminiSession(sim, options);
  const closed = once(geminiSocket(session) as never, 'close');
  session.close();
  await closed;
}

function row(name: string, frames: number, c: SyncComparison): string[] {
  return [
    name,
    fmt(c.plain / 1000, 1),
    fmt(c.wrapped / 1000, 1),
    ratio(c.wrapped, c.plain),
    fmt(c.delta / 1000, 2),
    fmt(c.delta / frames / 1000, 2),
  ];
}

function sessionRow(name: string, c: AsyncComparison): string[] {
  return [
    name,
    fmt(c.plain, 0),
    fmt(c.wrapped, 0),
    ratio(c.wrapped, c.plain),
    `${fmt(c.delta, 0)} (${fmt(c.low, 0)} … ${fmt(c.high, 0)})`,
  ];
}

/** Per-event and per-session cost of instrumentOpenAIRealtime and instrumentGeminiLive, against the same clients unwrapped. */
export async function run(): Promise<string> {
  const meter = createAgentMeter();
  const options: LlmInstrumentOptions = {
    meter,
    pricing: createPricingTable(undefined, { file: false }),
    genAiMetrics: false,
  };
  const openaiSim = await startOpenAIRealtimeSim();
  const geminiSim = await startGeminiLiveSim();
  try {
    const [plainRt, wrappedRt] = [await openAIClient(openaiSim), await openAIClient(openaiSim, options)];
    const openaiEvents = compareSync(
      feed(plainRt.socket, OPENAI_RESPONSE),
      feed(wrappedRt.socket, OPENAI_RESPONSE),
      2000,
      9,
    );
    plainRt.close();
    wrappedRt.close();
    const [plainLive, wrappedLive] = [await geminiSession(geminiSim), await geminiSession(geminiSim, options)];
    const geminiEvents = compareSync(
      feed(geminiSocket(plainLive), GEMINI_TURN),
      feed(geminiSocket(wrappedLive), GEMINI_TURN),
      2000,
      9,
    );
    plainLive.close();
    wrappedLive.close();
    const openaiSessions = await compareAsync(
      () => openAISession(openaiSim),
      () => openAISession(openaiSim, options),
      30,
      10,
      'cpu',
    );
    const geminiSessions = await compareAsync(
      () => geminiOpenClose(geminiSim),
      () => geminiOpenClose(geminiSim, options),
      30,
      10,
      'cpu',
    );
    return [
      '### Realtime session overhead (@agentmeter/llm: instrumentOpenAIRealtime, instrumentGeminiLive)',
      '',
      "Per response: the real clients (`openai`'s `OpenAIRealtimeWS`, `@google/genai` Live sessions),",
      "connected to the loopback simulators, handed one response's server frames through their",
      "socket's `message` listeners (the clients' own parsing and dispatch, no network): OpenAI",
      `${OPENAI_RESPONSE.length} frames (end of speech, created, ${DELTAS} audio + ${DELTAS} transcript deltas, done with usage), Gemini`,
      `${GEMINI_TURN.length} frames (ACTIVITY_END, ${DELTAS} audio parts + ${DELTAS} transcriptions, generationComplete, turnComplete with usage).`,
      'CPU time of the process, 2000 responses x 9 rounds alternating, the overhead the median of the per-round differences:',
      '',
      table(
        [
          'client',
          'unwrapped CPU µs/response',
          'wrapped CPU µs/response',
          'ratio',
          'overhead µs/response',
          'overhead µs/frame',
        ],
        [
          row('OpenAI Realtime (instrumentOpenAIRealtime)', OPENAI_RESPONSE.length, openaiEvents),
          row('Gemini Live (instrumentGeminiLive)', GEMINI_TURN.length, geminiEvents),
        ],
      ),
      '',
      'Per session: open a session on the loopback simulator and close it (Gemini: through setupComplete),',
      'CPU time of the process (client and simulator), 30 sessions x 10 rounds alternating; TLS handshakes',
      '(OpenAI) and socket setup vary by more than a millisecond from round to round, so a difference inside',
      'the lowest … highest spread is noise, not overhead (instrumenting a client is a few µs):',
      '',
      table(
        [
          'client',
          'unwrapped CPU µs/session',
          'wrapped CPU µs/session',
          'ratio',
          'overhead µs/session (lowest … highest round)',
        ],
        [
          sessionRow('OpenAI Realtime, connect + close', openaiSessions),
          sessionRow('Gemini Live, connect + setup + close', geminiSessions),
        ],
      ),
      '',
    ].join('\n');
  } finally {
    await Promise.all([openaiSim.close(), geminiSim.close()]);
  }
}
