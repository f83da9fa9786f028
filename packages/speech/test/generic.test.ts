import { createPricingTable, SPEECH_PRICES } from '@agentmeter/core';
import { describe, expect, it } from 'vitest';
import { createSpeechTracker } from '../src/index.ts';
import { drain, HOSTILE_VALUES, meterFixture } from './fixtures.ts';

function audioStream(chunks: number[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const size of chunks) controller.enqueue(new Uint8Array(size));
      controller.close();
    },
  });
}

describe('createSpeechTracker', () => {
  it('records a synthesis whose audio stream ends after the function returns', async () => {
    const fx = meterFixture();
    const speech = createSpeechTracker({ meter: fx.meter });
    const model = { provider: 'openai', model: 'tts-1' };
    const stream = await speech.trackSynthesis({ ...model, text: 'Twelve chars' }, async (call) => {
      fx.clock.advance(300);
      return call.stream(audioStream([16_000, 16_000, 8_000]), 16_000);
    });
    expect((await fx.collect()).value('agentmeter.tts.requests', { ...model, status: 'success' })).toBeUndefined();
    fx.clock.advance(200);
    expect(await drain(stream)).toBe(40_000);
    const data = await fx.collect();
    expect(data.value('agentmeter.tts.requests', { ...model, status: 'success' })).toBe(1);
    expect(data.histogram('agentmeter.tts.latency', { ...model, status: 'success' })).toMatchObject({
      count: 1,
      sum: 0.5,
    });
    expect(data.value('agentmeter.tts.characters', model)).toBe(12);
    expect(data.value('agentmeter.tts.audio', model)).toBe(2.5);
    expect(data.value('agentmeter.api.cost.usd', { ...model, service: 'tts' })).toBeCloseTo(12 * 15e-6, 12);
    await fx.reader.shutdown();
  });

  it('records transcriptions and failures, rethrowing the error untouched', async () => {
    const fx = meterFixture();
    const pricing = createPricingTable(SPEECH_PRICES, {
      overrides: [{ provider: 'acme', model: 'ears-2', effective: '2026-01-01', unit: 'second', price: 0.001 }],
    });
    const speech = createSpeechTracker({ meter: fx.meter, pricing });
    const text = await speech.trackTranscription({ provider: 'acme', model: 'ears-2' }, (call) => {
      call.audioSeconds(30);
      return 'hello';
    });
    expect(text).toBe('hello');
    const boom = Object.assign(new Error('slow down'), { status: 429 });
    await expect(
      speech.trackTranscription({ provider: 'acme', model: 'ears-2' }, () => Promise.reject(boom)),
    ).rejects.toBe(boom);
    const data = await fx.collect();
    const model = { provider: 'acme', model: 'ears-2' };
    expect(data.value('agentmeter.stt.audio', model)).toBe(30);
    expect(data.value('agentmeter.api.cost.usd', { ...model, service: 'stt' })).toBeCloseTo(0.03, 12);
    expect(data.value('agentmeter.stt.errors', { ...model, error_type: 'rate_limit' })).toBe(1);
    await fx.reader.shutdown();
  });

  it('never throws on hostile input and records nothing bad', async () => {
    const fx = meterFixture();
    const speech = createSpeechTracker({ meter: fx.meter });
    for (const value of HOSTILE_VALUES) {
      expect(() =>
        speech.trackSynthesis(
          { provider: 'p', model: 'm', text: value as string, characters: value as number },
          (call) => {
            call.audio(value as number);
            call.audioSeconds(value as number);
            call.stream(value as never, value as number);
          },
        ),
      ).not.toThrow();
      expect(() =>
        speech.trackTranscription(value as never, (call) => call.audioSeconds(value as number)),
      ).not.toThrow();
      expect(() => speech.trackSynthesis(value as never, () => 1)).not.toThrow();
    }
    const throwing = new Proxy(
      {},
      {
        get: () => {
          throw new Error('hostile getter');
        },
      },
    );
    expect(speech.trackSynthesis(throwing as never, () => 'ran')).toBe('ran');
    expect(speech.trackTranscription(throwing as never, () => 'ran')).toBe('ran');
    const data = await fx.collect();
    const audio = data.value('agentmeter.tts.audio', { provider: 'p', model: 'm' });
    expect(audio).toBeUndefined();
    // The 100,000-character string was counted as text, never used as a label.
    expect(data.value('agentmeter.tts.characters', { provider: 'p', model: 'm' })).toBe(100_000);
    expect(data.value('agentmeter.stt.audio', { provider: 'unknown', model: 'unknown' })).toBeUndefined();
    await fx.reader.shutdown();
  });

  it('fails fast without a meter', () => {
    expect(() => createSpeechTracker({} as never)).toThrow(/options.meter/);
  });
});
