import Cartesia from '@cartesia/cartesia-js';
import { DeepgramClient } from '@deepgram/sdk';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import OpenAI from 'openai';
import {
  startCartesiaSim,
  startDeepgramSim,
  startElevenLabsSim,
  startOpenAIAudioSim,
  type SpeechSim,
} from '@agentmeter/provider-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentCartesia, instrumentDeepgram, instrumentElevenLabs, instrumentOpenAIAudio } from '../src/index.ts';
import { HOSTILE_VALUES, meterFixture, type MeterFixture } from './fixtures.ts';

/** How a call settles: the value's type or the error's class, so wrapped and plain clients compare. */
async function outcome(run: () => unknown): Promise<string> {
  try {
    const value = await run();
    if (value instanceof ReadableStream) await value.cancel();
    if (value instanceof Response) await value.body?.cancel();
    if (typeof (value as { stream?: unknown })?.stream === 'function')
      await (value as { stream(): ReadableStream | null }).stream()?.cancel();
    return `ok:${Object.prototype.toString.call(value)}`;
  } catch (error) {
    return `error:${(error as Error)?.constructor?.name}`;
  }
}

describe('the wrappers with hostile input behave exactly like the plain clients', () => {
  let fx: MeterFixture;
  const sims: SpeechSim[] = [];
  beforeAll(async () => {
    fx = meterFixture();
    sims.push(
      await startElevenLabsSim(),
      await startOpenAIAudioSim(),
      await startCartesiaSim(),
      await startDeepgramSim(),
    );
  });
  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.close()));
    await fx.reader.shutdown();
  });

  it('ElevenLabs, OpenAI, Cartesia and Deepgram', async () => {
    const [eleven, openai, cartesia, deepgram] = sims as [SpeechSim, SpeechSim, SpeechSim, SpeechSim];
    const ws = deepgram.url.replace('http', 'ws');
    const make = {
      eleven: () => new ElevenLabsClient({ apiKey: 'k', baseUrl: eleven.url, maxRetries: 0 }),
      openai: () => new OpenAI({ apiKey: 'k', baseURL: `${openai.url}/v1`, maxRetries: 0 }),
      cartesia: () => new Cartesia({ apiKey: 'k', baseURL: cartesia.url, maxRetries: 0 }),
      deepgram: () =>
        new DeepgramClient({
          apiKey: 'k',
          environment: { base: deepgram.url, production: ws, agent: ws, agentRest: deepgram.url },
          maxRetries: 0,
        }),
    };
    const plain = {
      eleven: make.eleven(),
      openai: make.openai(),
      cartesia: make.cartesia(),
      deepgram: make.deepgram(),
    };
    const metered = {
      eleven: instrumentElevenLabs(make.eleven(), { meter: fx.meter }),
      openai: instrumentOpenAIAudio(make.openai(), { meter: fx.meter }),
      cartesia: instrumentCartesia(make.cartesia(), { meter: fx.meter }),
      deepgram: instrumentDeepgram(make.deepgram(), { meter: fx.meter }),
    };
    const calls: ((c: typeof plain, value: unknown) => unknown)[] = [
      (c, v) => c.eleven.textToSpeech.convert('voice', v as never),
      (c, v) => c.eleven.textToSpeech.stream('voice', { text: v, modelId: v } as never),
      (c, v) => c.openai.audio.speech.create({ model: v, voice: 'alloy', input: v } as never),
      (c, v) => c.openai.audio.transcriptions.create({ model: v, file: v } as never),
      (c, v) => c.cartesia.tts.generate({ model_id: v, transcript: v, voice: v, output_format: v } as never),
      (c, v) => c.deepgram.listen.v1.media.transcribeFile(v as never, { model: v } as never),
      (c, v) => c.deepgram.speak.v1.audio.generate({ text: v, model: v } as never),
    ];
    const throwing = new Proxy(
      {},
      {
        get: () => {
          throw new Error('hostile getter');
        },
      },
    );
    for (const value of [...HOSTILE_VALUES, throwing]) {
      for (const call of calls) {
        expect(await outcome(() => call(metered, value))).toBe(await outcome(() => call(plain, value)));
      }
    }
    // Whatever was recorded, no label carries the hostile text.
    const data = await fx.collect();
    for (const metric of data.metrics) {
      for (const point of metric.dataPoints) {
        for (const label of Object.values(point.attributes)) expect(String(label).length).toBeLessThanOrEqual(128);
      }
    }
  });

  it('rejects hostile options at creation with a message', () => {
    expect(() => instrumentOpenAIAudio(new OpenAI({ apiKey: 'k' }), { meter: fx.meter, pricing: [] as never })).toThrow(
      /options.pricing/,
    );
    expect(() =>
      instrumentOpenAIAudio(new OpenAI({ apiKey: 'k' }), { meter: fx.meter, pricing: 'cheap' as never }),
    ).toThrow(/options.pricing/);
    for (const value of HOSTILE_VALUES) {
      if (typeof value === 'object' && value !== null) continue;
      expect(() => instrumentOpenAIAudio(new OpenAI({ apiKey: 'k' }), value as never)).toThrow(/meter/);
      if (value !== undefined)
        expect(() =>
          instrumentOpenAIAudio(new OpenAI({ apiKey: 'k' }), { meter: fx.meter, provider: value as never }),
        ).toThrow(/provider/);
    }
  });
});
