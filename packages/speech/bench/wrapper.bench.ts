import Cartesia from '@cartesia/cartesia-js';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import OpenAI, { toFile } from 'openai';
import { createAgentMeter } from '@agentmeter/core';
import { startOpenAIAudioSim, wavFile } from '@agentmeter/provider-sim';
import { fmt, nsPerOp, ratio, table } from '../../../scripts/bench-kit.ts';
import { createVoiceTurns, instrumentCartesia, instrumentElevenLabs, instrumentOpenAIAudio } from '../src/index.ts';

const AUDIO_CHUNKS = 4;
const CHUNK = new Uint8Array(4096);

/** A fetch that answers from memory, so the figures are the SDK's and the wrapper's own cost. */
function memoryFetch(body: () => ConstructorParameters<typeof Response>[0], contentType: string): typeof fetch {
  return async () =>
    new Response(body(), { status: 200, headers: { 'content-type': contentType, 'character-cost': '31' } });
}

function audioBody(): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ === AUDIO_CHUNKS) controller.close();
      else controller.enqueue(CHUNK.slice());
    },
  });
}

const SSE = [
  ...Array.from(
    { length: AUDIO_CHUNKS },
    () =>
      `data: ${JSON.stringify({ type: 'chunk', data: Buffer.from(CHUNK).toString('base64'), done: false, status_code: 206, step_time: 1 })}\n\n`,
  ),
  `data: ${JSON.stringify({ type: 'done', done: true, status_code: 200 })}\n\n`,
].join('');

const eleven = (): ElevenLabsClient =>
  new ElevenLabsClient({ apiKey: 'k', maxRetries: 0, fetch: memoryFetch(audioBody, 'audio/mpeg') });
const openaiSpeech = (): OpenAI =>
  new OpenAI({ apiKey: 'k', maxRetries: 0, fetch: memoryFetch(audioBody, 'audio/mpeg') });
const openaiJson = (): OpenAI =>
  new OpenAI({
    apiKey: 'k',
    maxRetries: 0,
    fetch: memoryFetch(
      () => JSON.stringify({ text: 'hi', usage: { type: 'duration', seconds: 3 } }),
      'application/json',
    ),
  });
const cartesia = (): Cartesia =>
  new Cartesia({ apiKey: 'k', maxRetries: 0, fetch: memoryFetch(() => SSE, 'text/event-stream') });

function median(values: number[]): number {
  return values.toSorted((x, y) => x - y)[Math.floor(values.length / 2)]!;
}

/**
 * Median microseconds per call of two async fns, measured in alternating rounds of `calls`
 * sequential calls, so load on the shared machine hits both alike.
 */
async function usPerCall(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  calls: number,
  rounds = 7,
): Promise<[number, number]> {
  const time = async (fn: () => Promise<unknown>): Promise<number> => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await fn();
    return Number(process.hrtime.bigint() - start) / calls / 1000;
  };
  await time(a);
  await time(b);
  const samples: [number[], number[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    samples[0].push(await time(a));
    samples[1].push(await time(b));
  }
  return [median(samples[0]), median(samples[1])];
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
  for await (const _ of stream) {
    // Reading is the work being measured.
  }
}

/** Wrapper overhead: the same SDK calls, plain and instrumented, in memory and over loopback. */
export async function run(): Promise<string> {
  const meter = createAgentMeter({ exemplars: false });
  const text = 'Hello from the benchmark, 42 characters...';

  const file = await toFile(wavFile(1), 'a.wav');

  const cases: [string, (plain: boolean) => () => Promise<unknown>][] = [
    [
      'ElevenLabs textToSpeech.convert + read 4 chunks',
      (plain) => {
        const c = plain ? eleven() : instrumentElevenLabs(eleven(), { meter });
        return async () => drain(await c.textToSpeech.convert('voice', { text, modelId: 'eleven_flash_v2_5' }));
      },
    ],
    [
      'OpenAI audio.speech.create + arrayBuffer()',
      (plain) => {
        const c = plain ? openaiSpeech() : instrumentOpenAIAudio(openaiSpeech(), { meter });
        return async () => (await c.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: text })).arrayBuffer();
      },
    ],
    [
      'OpenAI audio.transcriptions.create (whisper-1)',
      (plain) => {
        const c = plain ? openaiJson() : instrumentOpenAIAudio(openaiJson(), { meter });
        return () => c.audio.transcriptions.create({ model: 'whisper-1', file });
      },
    ],
    [
      'Cartesia tts.generateSSE, 5 events',
      (plain) => {
        const c = plain ? cartesia() : instrumentCartesia(cartesia(), { meter });
        return async () => {
          for await (const _ of await c.tts.generateSSE({
            model_id: 'sonic-3',
            transcript: text,
            voice: { mode: 'id', id: 'v' } as never,
            output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 16000 },
          })) {
            // Iterating is the work being measured.
          }
        };
      },
    ],
  ];
  const rows: string[][] = [];
  for (const [name, build] of cases) {
    const [plain, wrapped] = await usPerCall(build(true), build(false), 200);
    rows.push([name, fmt(plain, 1), fmt(wrapped, 1), fmt(wrapped - plain, 1), ratio(wrapped, plain)]);
  }

  // Over a real loopback server, where the network dominates as it does in production.
  const sim = await startOpenAIAudioSim({ chunks: AUDIO_CHUNKS });
  let loopback: string[];
  try {
    const plain = new OpenAI({ apiKey: 'k', baseURL: `${sim.url}/v1`, maxRetries: 0 });
    const wrapped = instrumentOpenAIAudio(new OpenAI({ apiKey: 'k', baseURL: `${sim.url}/v1`, maxRetries: 0 }), {
      meter,
    });
    const call = (c: OpenAI) => async () =>
      (
        await c.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: text, response_format: 'pcm' })
      ).arrayBuffer();
    const [p, w] = await usPerCall(call(plain), call(wrapped), 20, 15);
    loopback = [
      'OpenAI audio.speech.create over loopback HTTP (4 chunks)',
      fmt(p, 1),
      fmt(w, 1),
      fmt(w - p, 1),
      ratio(w, p),
    ];
  } finally {
    await sim.close();
  }

  const turns = createVoiceTurns({ meter });
  const turnNs = nsPerOp(() => {
    const turn = turns.userSpeechEnded();
    turn.finalTranscript();
    turn.agentAudioStarted();
    turn.agentReplyEnded();
  }, 100_000);

  return [
    '### Speech wrappers (speech)',
    '',
    'The same SDK calls, plain and instrumented (median of 7 alternating rounds of 200 sequential calls; over',
    "loopback 15 rounds of 20, where the shared machine's noise is larger than the wrapper; the in-memory",
    "rows answer from a `fetch` that never touches the network, so they show the SDK's and the wrapper's own",
    'cost; lower is better):',
    '',
    table(['call', 'plain (µs)', 'instrumented (µs)', 'overhead (µs)', 'ratio'], [...rows, loopback]),
    '',
    `A whole voice turn (userSpeechEnded, finalTranscript, agentAudioStarted, agentReplyEnded): ${fmt(turnNs, 0)} ns.`,
    '',
  ].join('\n');
}
