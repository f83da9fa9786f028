import { ElevenLabsClient, ElevenLabsError } from '@elevenlabs/elevenlabs-js';
import { createPricingTable, SPEECH_PRICES } from '@agentmeter/core';
import { startElevenLabsSim, type SpeechSim } from '@agentmeter/provider-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentElevenLabs } from '../src/index.ts';
import { drain, meterFixture, type MeterFixture } from './fixtures.ts';

const MODEL = { provider: 'elevenlabs', model: 'eleven_flash_v2_5' };
const TEXT = 'Hello from the loopback server.'; // 31 characters

describe('instrumentElevenLabs', () => {
  let fx: MeterFixture;
  let sim: SpeechSim;
  let client: ElevenLabsClient;

  beforeEach(async () => {
    fx = meterFixture();
    // The simulator advances the meter's clock before its first byte: exact time to first audio.
    sim = await startElevenLabsSim({ firstByteMs: () => (fx.clock.advance(250), 0), chunks: 4 });
    client = instrumentElevenLabs(new ElevenLabsClient({ apiKey: 'test-key', baseUrl: sim.url, maxRetries: 0 }), {
      meter: fx.meter,
    });
  });
  afterEach(async () => {
    await sim.close();
    await fx.reader.shutdown();
  });

  it('returns the same client and a readable audio stream from convert', async () => {
    const same = instrumentElevenLabs(client, { meter: fx.meter });
    expect(same).toBe(client);
    const audio = await client.textToSpeech.convert('voice-1', {
      text: TEXT,
      modelId: 'eleven_flash_v2_5',
      outputFormat: 'pcm_16000',
    });
    expect(audio).toBeInstanceOf(ReadableStream);
    const reader = audio.getReader();
    let bytes = (await reader.read()).value?.byteLength ?? 0;
    fx.clock.advance(100);
    for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.byteLength;
    // 31 characters at 0.05 s each, 16 kHz 16-bit PCM: 1.55 s, 49,600 bytes.
    expect(bytes).toBe(49_600);
    const data = await fx.collect();
    expect(data.value('agentmeter.tts.requests', { ...MODEL, status: 'success' })).toBe(1);
    expect(data.histogram('agentmeter.tts.time_to_first_audio', MODEL)).toMatchObject({ count: 1, sum: 0.25 });
    expect(data.histogram('agentmeter.tts.latency', { ...MODEL, status: 'success' })?.sum).toBeCloseTo(0.35, 9);
    expect(data.value('agentmeter.tts.characters', MODEL)).toBe(31);
    expect(data.value('agentmeter.tts.audio', MODEL)).toBeCloseTo(1.55, 9);
    // eleven_flash: 0.05 USD per 1,000 characters.
    expect(data.value('agentmeter.api.cost.usd', { ...MODEL, service: 'tts' })).toBeCloseTo(0.00155, 12);
  });

  it('meters the chunked stream endpoint and keeps withRawResponse', async () => {
    const { data: audio, rawResponse } = await client.textToSpeech
      .stream('voice-1', { text: TEXT, modelId: 'eleven_flash_v2_5', outputFormat: 'mp3_44100_128' })
      .withRawResponse();
    expect(rawResponse.headers.get('character-cost')).toBe('31');
    // mp3 at 128 kbps: 1.55 s is 24,800 bytes.
    expect(await drain(audio)).toBe(24_800);
    const data = await fx.collect();
    expect(data.value('agentmeter.tts.requests', { ...MODEL, status: 'success' })).toBe(1);
    expect(data.value('agentmeter.tts.audio', MODEL)).toBeCloseTo(1.55, 9);
  });

  it('counts a 429 as a rate_limit error and rethrows the SDK error unchanged', async () => {
    sim.faults.push({ kind: 'rate_limit', retryAfterSeconds: 0 });
    const error = await client.textToSpeech
      .convert('voice-1', { text: TEXT, modelId: 'eleven_flash_v2_5' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ElevenLabsError);
    expect((error as ElevenLabsError).statusCode).toBe(429);
    const data = await fx.collect();
    expect(data.value('agentmeter.tts.requests', { ...MODEL, status: 'error' })).toBe(1);
    expect(data.value('agentmeter.tts.errors', { ...MODEL, error_type: 'rate_limit' })).toBe(1);
    expect(data.value('agentmeter.tts.characters', MODEL)).toBeUndefined();
    expect(data.value('agentmeter.api.cost.usd', { ...MODEL, service: 'tts' })).toBeUndefined();
  });

  it('counts a 500 as server_error and a hung request as timeout', async () => {
    sim.faults.push({ kind: 'server_error' }, { kind: 'hang' });
    await expect(
      client.textToSpeech.convert('voice-1', { text: TEXT, modelId: 'eleven_flash_v2_5' }),
    ).rejects.toThrow();
    await expect(
      client.textToSpeech.convert('voice-1', { text: TEXT, modelId: 'eleven_flash_v2_5' }, { timeoutInSeconds: 0.2 }),
    ).rejects.toBeInstanceOf(ElevenLabsError);
    const data = await fx.collect();
    expect(data.value('agentmeter.tts.errors', { ...MODEL, error_type: 'server_error' })).toBe(1);
    expect(data.value('agentmeter.tts.errors', { ...MODEL, error_type: 'timeout' })).toBe(1);
    expect(data.value('agentmeter.tts.requests', { ...MODEL, status: 'error' })).toBe(2);
  });

  it('records a stream cut mid-way as an error, after its first audio', async () => {
    sim.faults.push({ kind: 'abort', afterChunks: 2 });
    const audio = await client.textToSpeech.stream('voice-1', { text: TEXT, modelId: 'eleven_flash_v2_5' });
    await expect(drain(audio)).rejects.toThrow();
    const data = await fx.collect();
    expect(data.histogram('agentmeter.tts.time_to_first_audio', MODEL)?.count).toBe(1);
    expect(data.value('agentmeter.tts.requests', { ...MODEL, status: 'error' })).toBe(1);
    // Cut mid-audio is a stream_error, not a connection failure (that is for failures before any response).
    expect(data.value('agentmeter.tts.errors', { ...MODEL, error_type: 'stream_error' })).toBe(1);
    expect(data.value('agentmeter.tts.errors', { ...MODEL, error_type: 'connection' })).toBeUndefined();
    expect(data.value('agentmeter.tts.audio', MODEL)).toBeUndefined();
  });

  it('ends the call when the consumer cancels (a barge-in), as a success', async () => {
    const audio = await client.textToSpeech.stream('voice-1', { text: TEXT, modelId: 'eleven_flash_v2_5' });
    const reader = audio.getReader();
    await reader.read();
    await reader.cancel('barge-in');
    const data = await fx.collect();
    expect(data.value('agentmeter.tts.requests', { ...MODEL, status: 'success' })).toBe(1);
  });

  it('records no cost with pricing: false, and prices from a given table', async () => {
    const free = instrumentElevenLabs(new ElevenLabsClient({ apiKey: 'k', baseUrl: sim.url, maxRetries: 0 }), {
      meter: fx.meter,
      pricing: false,
    });
    await drain(await free.textToSpeech.convert('voice-1', { text: TEXT, modelId: 'eleven_flash_v2_5' }));
    expect((await fx.collect()).value('agentmeter.api.cost.usd', { ...MODEL, service: 'tts' })).toBeUndefined();
    const pricing = createPricingTable(SPEECH_PRICES, {
      overrides: [
        {
          provider: 'elevenlabs',
          model: 'eleven_flash_v2_5',
          effective: '2020-01-01',
          unit: 'character',
          price: 0.001,
        },
      ],
    });
    const priced = instrumentElevenLabs(new ElevenLabsClient({ apiKey: 'k', baseUrl: sim.url, maxRetries: 0 }), {
      meter: fx.meter,
      pricing,
    });
    await drain(await priced.textToSpeech.convert('voice-1', { text: TEXT, modelId: 'eleven_flash_v2_5' }));
    expect((await fx.collect()).value('agentmeter.api.cost.usd', { ...MODEL, service: 'tts' })).toBeCloseTo(0.031, 12);
  });

  it('falls back to the default model label and fails fast on bad options', async () => {
    expect(await drain(await client.textToSpeech.convert('voice-1', { text: 'Hi' }))).toBeGreaterThan(0);
    const data = await fx.collect();
    expect(
      data.value('agentmeter.tts.requests', {
        provider: 'elevenlabs',
        model: 'eleven_multilingual_v2',
        status: 'success',
      }),
    ).toBe(1);
    expect(() => instrumentElevenLabs(client, undefined as never)).toThrow(/pass options with a meter/);
    expect(() => instrumentElevenLabs(client, { meter: {} as never })).toThrow(/options.meter must be an AgentMeter/);
    expect(() => instrumentElevenLabs({} as never, { meter: fx.meter })).toThrow(/ElevenLabsClient/);
    expect(() => instrumentElevenLabs(client, { meter: fx.meter, provider: 'bad provider!' })).toThrow(
      /options.provider/,
    );
  });
});
