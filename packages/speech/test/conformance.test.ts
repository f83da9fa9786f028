import Cartesia from '@cartesia/cartesia-js';
import { DeepgramClient } from '@deepgram/sdk';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import {
  conformanceRows,
  startFaultServer,
  wavFile,
  type ConformanceFailure,
  type FaultServer,
  type NotApplicable,
} from '@agentmeter/provider-sim';
import OpenAI, { toFile } from 'openai';
import { errorTypeCounts } from '@agentmeter/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentCartesia, instrumentDeepgram, instrumentElevenLabs, instrumentOpenAIAudio } from '../src/index.ts';
import { meterFixture, type MeterFixture } from './fixtures.ts';

/** What a row needs: where to send the request, how long the client waits, and the caller's signal. */
interface Call {
  readonly url: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** One speech wrapper with its real client: the content type of a success, and a call read to its end. */
interface Wrapper {
  readonly contentType: string;
  /** The rows this client cannot meet, with the reason (a byte stream cannot be malformed). */
  readonly notApplicable?: NotApplicable;
  run(fx: MeterFixture, call: Call): Promise<unknown>;
}

const TEXT = 'Hello from the conformance table.';
const BYTES_ARE_AUDIO = 'a byte stream has no syntax to break: any bytes are audio';
const CARTESIA_BODY = {
  model_id: 'sonic-3',
  transcript: TEXT,
  voice: { mode: 'id', id: 'v1' },
  output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 16000 },
} as never;

async function drain(stream: ReadableStream<Uint8Array> | null | undefined): Promise<void> {
  if (stream === null || stream === undefined) return;
  for await (const _ of stream) {
    /* read to the end */
  }
}
async function iterate(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    /* read to the end */
  }
}
const openai = (fx: MeterFixture, url: string): OpenAI =>
  instrumentOpenAIAudio(new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1`, maxRetries: 0 }), { meter: fx.meter });
const cartesia = (fx: MeterFixture, url: string): Cartesia =>
  instrumentCartesia(new Cartesia({ apiKey: 'sk_car_test', baseURL: url, maxRetries: 0 }), { meter: fx.meter });

const WRAPPERS: Readonly<Record<string, Wrapper>> = {
  'ElevenLabs textToSpeech.stream': {
    contentType: 'audio/mpeg',
    notApplicable: { 'malformed body': BYTES_ARE_AUDIO },
    run: async (fx, { url, timeoutMs, signal }) => {
      const client = instrumentElevenLabs(new ElevenLabsClient({ apiKey: 'k', baseUrl: url, maxRetries: 0 }), {
        meter: fx.meter,
      });
      await drain(
        await client.textToSpeech.stream(
          'voice-1',
          { text: TEXT, modelId: 'eleven_flash_v2_5' },
          { timeoutInSeconds: timeoutMs / 1000, abortSignal: signal },
        ),
      );
    },
  },
  'OpenAI audio.speech.create': {
    contentType: 'audio/mpeg',
    notApplicable: { 'malformed body': BYTES_ARE_AUDIO },
    run: async (fx, { url, timeoutMs, signal }) => {
      const response = await openai(fx, url).audio.speech.create(
        { model: 'tts-1', voice: 'alloy', input: TEXT },
        { timeout: timeoutMs, signal },
      );
      await drain(response.body);
    },
  },
  'OpenAI audio.transcriptions.create (stream)': {
    contentType: 'text/event-stream',
    run: async (fx, { url, timeoutMs, signal }) => {
      const file = await toFile(new Uint8Array(64), 'speech.wav');
      await iterate(
        await openai(fx, url).audio.transcriptions.create(
          { model: 'gpt-4o-transcribe', file, stream: true },
          { timeout: timeoutMs, signal },
        ),
      );
    },
  },
  'Cartesia tts.generate (bytes)': {
    contentType: 'application/octet-stream',
    notApplicable: { 'malformed body': BYTES_ARE_AUDIO },
    run: async (fx, { url, timeoutMs, signal }) => {
      const response = await cartesia(fx, url).tts.generate(CARTESIA_BODY, { timeout: timeoutMs, signal });
      await drain(response.body);
    },
  },
  'Cartesia tts.generateSSE': {
    contentType: 'text/event-stream',
    run: async (fx, { url, timeoutMs, signal }) => {
      await iterate(
        (await cartesia(fx, url).tts.generateSSE(CARTESIA_BODY, {
          timeout: timeoutMs,
          signal,
        })) as AsyncIterable<unknown>,
      );
    },
  },
  'Deepgram speak.v1.audio.generate': {
    contentType: 'audio/wav',
    notApplicable: { 'malformed body': BYTES_ARE_AUDIO },
    run: async (fx, { url, timeoutMs, signal }) => {
      const ws = url.replace('http', 'ws');
      const client = instrumentDeepgram(
        new DeepgramClient({
          apiKey: 'dg-test',
          environment: { base: url, production: ws, agent: ws, agentRest: url },
          maxRetries: 0,
        }),
        { meter: fx.meter },
      );
      const response = await client.speak.v1.audio.generate(
        { text: TEXT, model: 'aura-2-thalia-en' },
        { timeoutInSeconds: timeoutMs / 1000, abortSignal: signal },
      );
      await drain(response.stream());
    },
  },
  'Deepgram listen.v1.media.transcribeFile': {
    contentType: 'application/json',
    run: async (fx, { url, timeoutMs, signal }) => {
      const ws = url.replace('http', 'ws');
      const client = instrumentDeepgram(
        new DeepgramClient({
          apiKey: 'dg-test',
          environment: { base: url, production: ws, agent: ws, agentRest: url },
          maxRetries: 0,
        }),
        { meter: fx.meter },
      );
      const result = await client.listen.v1.media.transcribeFile(
        wavFile(0.5),
        { model: 'nova-3' },
        { timeoutInSeconds: timeoutMs / 1000, abortSignal: signal },
      );
      // Fern resolves a body that is not JSON as { ok: false, ... } rather than throwing.
      if ((result as { ok?: unknown }).ok === false) throw new Error('not a transcript');
    },
  },
};

describe('one error taxonomy across the speech wrappers', () => {
  let server: FaultServer;
  beforeAll(async () => {
    server = await startFaultServer();
  });
  afterAll(() => server.close());

  const { drive: rows, notApplicable } = conformanceRows(
    Object.fromEntries(Object.entries(WRAPPERS).map(([name, wrapper]) => [name, wrapper.notApplicable])),
  );

  it('names the rows that do not apply: a malformed body, for byte streams only', () => {
    expect(notApplicable).toEqual(
      Object.entries(WRAPPERS)
        .filter(([, wrapper]) => !/event-stream|json/.test(wrapper.contentType))
        .map(([name]) => [name, 'malformed body', BYTES_ARE_AUDIO]),
    );
  });

  it.each(rows)('%s: %s is %s', async (name, failure: ConformanceFailure, expected) => {
    const wrapper = WRAPPERS[name]!;
    const fx = meterFixture();
    server.set(failure, wrapper.contentType);
    const controller = new AbortController();
    const timeoutMs = failure === 'client timeout' ? 300 : 30_000;
    if (failure === 'caller abort') setTimeout(() => controller.abort(), 100);
    const url = server.urlFor(failure);
    await expect(wrapper.run(fx, { url, timeoutMs, signal: controller.signal })).rejects.toBeDefined();
    expect(errorTypeCounts(await fx.collect())).toEqual({ [expected]: 1 });
    await fx.reader.shutdown();
  });
});
