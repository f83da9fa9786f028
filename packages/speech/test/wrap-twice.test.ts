import Cartesia from '@cartesia/cartesia-js';
import { wrapTwiceRuns } from '@agentmeter/core/testing';
import { DeepgramClient } from '@deepgram/sdk';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import {
  startCartesiaSim,
  startDeepgramSim,
  startElevenLabsSim,
  startOpenAIAudioSim,
  type SpeechSim,
} from '@agentmeter/provider-sim';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentCartesia, instrumentDeepgram, instrumentElevenLabs, instrumentOpenAIAudio } from '../src/index.ts';
import { drain } from './fixtures.ts';

/** Each wrapper: its simulator, a fresh real client, its wrapper, and one call read to the end. */
interface Case {
  start(): Promise<SpeechSim>;
  open(url: string): object;
  wrap(client: object, options: Record<string, unknown>): unknown;
  call(client: object): Promise<unknown>;
}
const TEXT = 'Wrapped twice, counted once.';

const CASES: Readonly<Record<string, Case>> = {
  instrumentElevenLabs: {
    start: () => startElevenLabsSim(),
    open: (url) => new ElevenLabsClient({ apiKey: 'k', baseUrl: url, maxRetries: 0 }),
    wrap: (c, o) => instrumentElevenLabs(c, o as never),
    call: async (c) =>
      drain(
        await (c as ElevenLabsClient).textToSpeech.convert('voice-1', { text: TEXT, modelId: 'eleven_flash_v2_5' }),
      ),
  },
  instrumentOpenAIAudio: {
    start: () => startOpenAIAudioSim(),
    open: (url) => new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1`, maxRetries: 0 }),
    wrap: (c, o) => instrumentOpenAIAudio(c, o as never),
    call: async (c) =>
      drain(
        (
          await (c as OpenAI).audio.speech.create({
            model: 'tts-1',
            voice: 'alloy',
            input: TEXT,
            response_format: 'pcm',
          })
        ).body!,
      ),
  },
  instrumentCartesia: {
    start: () => startCartesiaSim(),
    open: (url) => new Cartesia({ apiKey: 'sk_car_test', baseURL: url, maxRetries: 0 }),
    wrap: (c, o) => instrumentCartesia(c, o as never),
    call: async (c) =>
      drain(
        (
          await (c as Cartesia).tts.generate({
            model_id: 'sonic-3',
            transcript: TEXT,
            voice: { mode: 'id', id: 'v1' } as never,
            output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 16000 },
          })
        ).body!,
      ),
  },
  instrumentDeepgram: {
    start: () => startDeepgramSim(),
    open: (url) =>
      new DeepgramClient({
        apiKey: 'dg-test',
        environment: {
          base: url,
          production: url.replace('http', 'ws'),
          agent: url.replace('http', 'ws'),
          agentRest: url,
        },
        maxRetries: 0,
      }),
    wrap: (c, o) => instrumentDeepgram(c, o as never),
    call: async (c) =>
      drain(
        (
          await (c as DeepgramClient).speak.v1.audio.generate({
            text: TEXT,
            model: 'aura-2-thalia-en',
            encoding: 'linear16',
            sample_rate: 16000,
          })
        ).stream()!,
      ),
  },
};

describe('wrapping an instrumented speech client again', () => {
  const sims: SpeechSim[] = [];
  beforeAll(() => {});
  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.close()));
  });

  it.each(Object.keys(CASES))(
    '%s: changes nothing a scrape sees, whatever the options, and warns once when they differ',
    async (name) => {
      const { start, open, wrap, call } = CASES[name]!;
      const sim = await start();
      sims.push(sim);
      const runs = await wrapTwiceRuns(
        () => open(sim.url),
        wrap,
        call,
        (meter) => [
          { meter, pricing: false, provider: 'other' },
          { meter, provider: 'third' },
        ],
      );
      expect(runs.map((run) => run.warnings.length)).toEqual([0, 0, 1]);
      expect(runs[2]!.warnings[0]).toMatch(/already instrumented.*first wrap's options stay/);
      expect(runs[0]!.lines.some((line) => line.includes('tts.requests'))).toBe(true);
      expect(runs[1]!.lines).toEqual(runs[0]!.lines);
      expect(runs[2]!.lines).toEqual(runs[0]!.lines);
    },
  );
});
