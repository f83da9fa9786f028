import { createAgentMeter } from '@agentmeter/core';
import { createTestReader } from '@agentmeter/core/testing';
import Cartesia from '@cartesia/cartesia-js';
import { DeepgramClient } from '@deepgram/sdk';
import {
  startCartesiaSim,
  startDeepgramSim,
  startElevenLabsSim,
  startOpenAIAudioSim,
  wavFile,
  type SpeechFault,
  type SpeechSim,
} from '@agentmeter/provider-sim';
import {
  createVoiceTurns,
  instrumentCartesia,
  instrumentDeepgram,
  instrumentElevenLabs,
  instrumentOpenAIAudio,
} from '@agentmeter/speech';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import fc from 'fast-check';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureDiag, dataProblems, type CapturedDiag } from '../src/checks.ts';
import { settle } from '../src/compare.ts';
import { reportFigure } from '../src/figures.ts';
import { FUZZ_SEED, hostileString, hostileValue, PROMPTS, SECRETS } from '../src/hostile.ts';

const RUNS = Number(process.env['AGENTMETER_FUZZ_WRAPPER_RUNS'] ?? 60);
const SERIES_LIMIT = 200;
const meter = createAgentMeter({ seriesLimit: SERIES_LIMIT });
const reader = createTestReader(meter);
let captured: CapturedDiag;
let calls = 0;
const sims: SpeechSim[] = [];

beforeAll(() => {
  captured = captureDiag();
});
afterAll(async () => {
  reportFigure('calls fuzzed: @agentmeter/speech wrappers', calls);
  await Promise.all(sims.map((sim) => sim.close()));
  await reader.shutdown();
  captured.restore();
});

const fault = fc.constantFrom<SpeechFault | undefined>(
  undefined,
  undefined,
  { kind: 'rate_limit', retryAfterSeconds: 0 },
  { kind: 'server_error' },
  { kind: 'abort', afterChunks: 1 },
);
/** Text to speak: prompts and secrets included, which must never reach a label. */
const text = fc.oneof(
  fc.constantFrom(...PROMPTS, ...SECRETS, 'Hello.'),
  hostileString.filter((value) => value.length > 0 && value.length < 2_000),
);

/** Reads a speech result to bytes, so two results compare by what the caller gets. */
async function bytesOf(result: unknown): Promise<unknown> {
  if (result instanceof Response)
    return { class: 'Response', status: result.status, bytes: (await result.arrayBuffer()).byteLength };
  return result;
}

/** The same request through a plain and an instrumented client, each meeting the same fault. */
async function sameThroughBoth(
  sim: SpeechSim,
  chosen: SpeechFault | undefined,
  plain: () => unknown,
  wrapped: () => unknown,
): Promise<void> {
  calls++;
  if (chosen !== undefined) sim.faults.push(chosen);
  const expected = await settle(async () => bytesOf(await plain()));
  if (chosen !== undefined) sim.faults.push(chosen);
  const actual = await settle(async () => bytesOf(await wrapped()));
  expect(actual).toEqual(expected);
}

describe('@agentmeter/speech wrappers under fuzzed requests and provider faults', () => {
  it('openai audio: speech and transcriptions unchanged', async () => {
    const sim = await startOpenAIAudioSim({});
    sims.push(sim);
    const options = { apiKey: SECRETS[0], baseURL: `${sim.url}/v1`, maxRetries: 0, timeout: 10_000 };
    const plain = new OpenAI(options);
    const wrapped = instrumentOpenAIAudio(new OpenAI(options), { meter });
    const wav = wavFile(0.5);
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.oneof(
          fc.constantFrom('tts-1', 'whisper-1'),
          hostileString.filter((s) => s.length < 100),
        ),
        fault,
        fc.boolean(),
        async (input, model, chosen, speak) => {
          if (speak) {
            const body = { model, voice: 'alloy' as const, input, response_format: 'pcm' as const };
            await sameThroughBoth(
              sim,
              chosen,
              () => plain.audio.speech.create(body),
              () => wrapped.audio.speech.create(body),
            );
          } else {
            const transcribe = async (client: OpenAI): Promise<unknown> =>
              client.audio.transcriptions.create({ model, file: await toFile(wav, 'a.wav'), prompt: input });
            await sameThroughBoth(
              sim,
              chosen,
              () => transcribe(plain),
              () => transcribe(wrapped),
            );
          }
        },
      ),
      { numRuns: RUNS, seed: 31 + FUZZ_SEED },
    );
  });

  it('elevenlabs: textToSpeech.convert unchanged', async () => {
    const sim = await startElevenLabsSim({ chunks: 3 });
    sims.push(sim);
    const options = { apiKey: SECRETS[1], baseUrl: sim.url, maxRetries: 0, timeoutInSeconds: 10 };
    const plain = new ElevenLabsClient(options);
    const wrapped = instrumentElevenLabs(new ElevenLabsClient(options), { meter });
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.oneof(
          fc.constant('eleven_flash_v2_5'),
          hostileString.filter((s) => s.length < 100),
        ),
        fault,
        async (input, modelId, chosen) => {
          const body = { text: input, modelId, outputFormat: 'pcm_16000' as const };
          await sameThroughBoth(
            sim,
            chosen,
            () => plain.textToSpeech.convert('voice-1', body),
            () => wrapped.textToSpeech.convert('voice-1', body),
          );
        },
      ),
      { numRuns: RUNS, seed: 32 + FUZZ_SEED },
    );
  });

  it('cartesia: tts.generate and tts.generateSSE unchanged', async () => {
    const sim = await startCartesiaSim({ chunks: 3 });
    sims.push(sim);
    const options = { apiKey: SECRETS[2], baseURL: sim.url, maxRetries: 0, timeout: 10_000 };
    const plain = new Cartesia(options);
    const wrapped = instrumentCartesia(new Cartesia(options), { meter });
    const format = { container: 'raw', encoding: 'pcm_s16le', sample_rate: 16000 } as const;
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.oneof(
          fc.constant('sonic-3'),
          hostileString.filter((s) => s.length < 100),
        ),
        fault,
        fc.boolean(),
        async (transcript, modelId, chosen, sse) => {
          const body = {
            model_id: modelId,
            transcript,
            voice: { mode: 'id', id: 'v1' } as never,
            output_format: format,
          };
          const call = (client: Cartesia) => (): unknown =>
            sse ? client.tts.generateSSE(body) : client.tts.generate(body);
          await sameThroughBoth(sim, chosen, call(plain), call(wrapped));
        },
      ),
      { numRuns: RUNS, seed: 34 + FUZZ_SEED },
    );
  });

  it('deepgram: prerecorded transcribeFile unchanged', async () => {
    const sim = await startDeepgramSim({});
    sims.push(sim);
    const options = {
      apiKey: SECRETS[3],
      environment: {
        base: sim.url,
        production: sim.url.replace('http', 'ws'),
        agent: sim.url.replace('http', 'ws'),
        agentRest: sim.url,
      },
      maxRetries: 0,
    };
    const plain = new DeepgramClient(options);
    const wrapped = instrumentDeepgram(new DeepgramClient(options), { meter });
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.oneof(
          fc.constant('nova-3'),
          hostileString.filter((s) => s.length < 100),
        ),
        fault,
        async (seconds, model, chosen) => {
          const audio = wavFile(seconds);
          const call = (client: DeepgramClient) => (): unknown =>
            client.listen.v1.media.transcribeFile(audio, { model });
          await sameThroughBoth(sim, chosen, call(plain), call(wrapped));
        },
      ),
      { numRuns: RUNS, seed: 35 + FUZZ_SEED },
    );
  });

  it('voice turns: any mark, in any order, with hostile values, never throws', () => {
    const turns = createVoiceTurns({ meter });
    const step = fc.tuple(
      fc.constantFrom(
        'userSpeechEnded',
        'finalTranscript',
        'agentAudioStarted',
        'agentReplyEnded',
        'interrupted',
        'end',
      ),
      hostileValue,
    );
    fc.assert(
      fc.property(fc.boolean(), hostileValue, fc.array(step, { maxLength: 8 }), (fromSpeech, at, steps) => {
        const turn = (fromSpeech ? turns.userSpeechEnded(at as number) : turns.start()) as unknown as Record<
          string,
          unknown
        >;
        calls++;
        for (const [method, argument] of steps) {
          const fn = turn[method];
          if (typeof fn === 'function') {
            (fn as (a: unknown) => unknown).call(turn, argument);
            calls++;
          }
        }
      }),
      { numRuns: RUNS * 50, seed: 33 + FUZZ_SEED },
    );
  });

  it('puts no text, prompt or key into a label, and exports no NaN', async () => {
    const snapshot = await reader.collect();
    // dataProblems also checks every label for the suite's secrets and prompts.
    expect(dataProblems(snapshot, SERIES_LIMIT)).toEqual([]);
    expect(snapshot.points(meter.instruments.ttsRequests.otelName).length).toBeGreaterThan(0);
    expect(captured.problems()).toEqual([]);
  });
});
