import OpenAI, { APIConnectionTimeoutError, RateLimitError, toFile } from 'openai';
import { startOpenAIAudioSim, wavFile, type SpeechSim } from '@agentmeter/provider-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentOpenAIAudio } from '../src/index.ts';
import { meterFixture, type MeterFixture } from './fixtures.ts';

const TEXT = 'Hello from the loopback server.'; // 31 characters
const TTS = { provider: 'openai', model: 'tts-1' };

describe('instrumentOpenAIAudio', () => {
  let fx: MeterFixture;
  let sim: SpeechSim;
  let client: OpenAI;

  beforeEach(async () => {
    fx = meterFixture();
    sim = await startOpenAIAudioSim({ firstByteMs: () => (fx.clock.advance(200), 0) });
    client = instrumentOpenAIAudio(new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, maxRetries: 0 }), {
      meter: fx.meter,
    });
  });
  afterEach(async () => {
    await sim.close();
    await fx.reader.shutdown();
  });

  it('meters audio.speech.create and keeps the Response and withResponse()', async () => {
    const { data: response, response: raw } = await client.audio.speech
      .create({ model: 'tts-1', voice: 'alloy', input: TEXT, response_format: 'pcm' })
      .withResponse();
    expect(response).toBeInstanceOf(Response);
    expect(raw.status).toBe(200);
    const reader = response.body!.getReader();
    let bytes = (await reader.read()).value!.byteLength;
    fx.clock.advance(50);
    for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.byteLength;
    // 31 characters at 0.05 s, 24 kHz 16-bit PCM: 1.55 s, 74,400 bytes.
    expect(bytes).toBe(74_400);
    const data = await fx.collect();
    expect(data.value('agentmeter.tts.requests', { ...TTS, status: 'success' })).toBe(1);
    expect(data.histogram('agentmeter.tts.time_to_first_audio', TTS)).toMatchObject({ count: 1, sum: 0.2 });
    expect(data.histogram('agentmeter.tts.latency', { ...TTS, status: 'success' })?.sum).toBeCloseTo(0.25, 9);
    expect(data.value('agentmeter.tts.characters', TTS)).toBe(31);
    expect(data.value('agentmeter.tts.audio', TTS)).toBeCloseTo(1.55, 9);
    expect(data.value('agentmeter.api.cost.usd', { ...TTS, service: 'tts' })).toBeCloseTo(31 * 15e-6, 12);
  });

  it('keeps arrayBuffer() on the same Response; mp3 has no exact audio seconds', async () => {
    const response = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: TEXT });
    // mp3 at 160 kbps: 1.55 s is 31,000 bytes.
    expect((await response.arrayBuffer()).byteLength).toBe(31_000);
    expect(response.bodyUsed).toBe(true);
    const data = await fx.collect();
    expect(data.value('agentmeter.tts.requests', { ...TTS, status: 'success' })).toBe(1);
    expect(data.value('agentmeter.tts.audio', TTS)).toBeUndefined();
  });

  it('meters speech streamed as SSE events without taking event bytes for audio length', async () => {
    const response = await client.audio.speech.create({
      model: 'gpt-4o-mini-tts',
      voice: 'alloy',
      input: TEXT,
      response_format: 'pcm',
      stream_format: 'sse',
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    expect(text.split('\n\n').filter((event) => event.includes('speech.audio.delta'))).toHaveLength(4);
    const data = await fx.collect();
    const mini = { provider: 'openai', model: 'gpt-4o-mini-tts' };
    expect(data.histogram('agentmeter.tts.time_to_first_audio', mini)).toMatchObject({ count: 1, sum: 0.2 });
    expect(data.value('agentmeter.tts.requests', { ...mini, status: 'success' })).toBe(1);
    expect(data.value('agentmeter.tts.audio', mini)).toBeUndefined();
  });

  it('counts speech 429s and timeouts in the taxonomy', async () => {
    sim.faults.push({ kind: 'rate_limit', retryAfterSeconds: 0 }, { kind: 'hang' });
    await expect(client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: TEXT })).rejects.toBeInstanceOf(
      RateLimitError,
    );
    await expect(
      client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: TEXT }, { timeout: 200 }),
    ).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    const data = await fx.collect();
    expect(data.value('agentmeter.tts.errors', { ...TTS, error_type: 'rate_limit' })).toBe(1);
    expect(data.value('agentmeter.tts.errors', { ...TTS, error_type: 'timeout' })).toBe(1);
    expect(data.value('agentmeter.tts.characters', TTS)).toBeUndefined();
  });

  it('meters whisper-1 transcriptions from their duration usage', async () => {
    const file = await toFile(wavFile(2.5), 'speech.wav', { type: 'audio/wav' });
    const json = await client.audio.transcriptions.create({ model: 'whisper-1', file });
    expect(json.text).toBe('Simulated transcript of 2.50 seconds.');
    const verbose = await client.audio.transcriptions.create({
      model: 'whisper-1',
      file,
      response_format: 'verbose_json',
    });
    expect(verbose.duration).toBe(2.5);
    const text = await client.audio.transcriptions.create({
      model: 'whisper-1',
      file: await toFile(wavFile(1), 'b.wav'),
      response_format: 'text',
    });
    expect(text).toBe('Simulated transcript of 1.00 seconds.');
    const whisper = { provider: 'openai', model: 'whisper-1' };
    // The text response reports no duration: the upload's WAV header is read, then the call ends.
    await expect
      .poll(async () => (await fx.collect()).value('agentmeter.stt.requests', { ...whisper, status: 'success' }), {
        timeout: 20_000,
      })
      .toBe(3);
    const data = await fx.collect();
    expect(data.histogram('agentmeter.stt.latency', { ...whisper, status: 'success' })?.count).toBe(3);
    expect(data.histogram('agentmeter.stt.latency', { ...whisper, status: 'success' })?.sum).toBeCloseTo(0.6, 9);
    // json bills ceil(2.5) = 3 s, verbose_json reports 2.5 s, the text upload is 1 s.
    expect(data.value('agentmeter.stt.audio', whisper)).toBeCloseTo(6.5, 9);
    expect(data.value('agentmeter.api.cost.usd', { ...whisper, service: 'stt' })).toBeCloseTo((6.5 / 60) * 0.006, 12);
  });

  it('meters gpt-4o transcribe models, streamed and not, from the uploaded WAV', async () => {
    const file = await toFile(wavFile(3), 'speech.wav', { type: 'audio/wav' });
    const plain = await client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file });
    expect(plain.usage?.type).toBe('tokens');
    const stream = await client.audio.transcriptions.create({ model: 'gpt-4o-mini-transcribe', file, stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('transcript.text.done');
    expect(types).toEqual([...Array(5).fill('transcript.text.delta'), 'transcript.text.done']);
    // The upload's WAV header is read after the stream ends: wait for that read.
    const done = async (): Promise<number> => {
      const snapshot = await fx.collect();
      return ['gpt-4o-transcribe', 'gpt-4o-mini-transcribe']
        .map(
          (model) => snapshot.value('agentmeter.stt.requests', { provider: 'openai', model, status: 'success' }) ?? 0,
        )
        .reduce((a, b) => a + b, 0);
    };
    await expect.poll(done, { timeout: 20_000 }).toBe(2);
    const data = await fx.collect();
    for (const [model, perMinute] of [
      ['gpt-4o-transcribe', 0.006],
      ['gpt-4o-mini-transcribe', 0.003],
    ] as const) {
      expect(data.value('agentmeter.stt.requests', { provider: 'openai', model, status: 'success' })).toBe(1);
      expect(data.value('agentmeter.stt.audio', { provider: 'openai', model })).toBe(3);
      expect(data.value('agentmeter.api.cost.usd', { provider: 'openai', model, service: 'stt' })).toBeCloseTo(
        0.05 * perMinute,
        12,
      );
    }
  });

  it('counts transcription failures: 500, a stream cut mid-way, and a bad request', async () => {
    const file = await toFile(wavFile(1), 'speech.wav');
    sim.faults.push({ kind: 'server_error' }, { kind: 'abort', afterChunks: 2 });
    await expect(client.audio.transcriptions.create({ model: 'whisper-1', file })).rejects.toThrow();
    const stream = await client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file, stream: true });
    await expect(
      (async () => {
        for await (const _ of stream) {
          /* drain */
        }
      })(),
    ).rejects.toThrow();
    await expect(client.audio.transcriptions.create({ model: 'whisper-1', file, stream: true })).rejects.toThrow(
      /not supported/,
    );
    const data = await fx.collect();
    expect(
      data.value('agentmeter.stt.errors', { provider: 'openai', model: 'whisper-1', error_type: 'server_error' }),
    ).toBe(1);
    expect(
      data.value('agentmeter.stt.errors', { provider: 'openai', model: 'whisper-1', error_type: 'bad_request' }),
    ).toBe(1);
    expect(
      data.value('agentmeter.stt.requests', { provider: 'openai', model: 'gpt-4o-transcribe', status: 'error' }),
    ).toBe(1);
    expect(
      data.value('agentmeter.stt.errors', {
        provider: 'openai',
        model: 'gpt-4o-transcribe',
        error_type: 'stream_error',
      }),
    ).toBe(1);
  });

  it('fails fast on a client without audio', () => {
    expect(() => instrumentOpenAIAudio({} as never, { meter: fx.meter })).toThrow(
      /audio.speech and audio.transcriptions/,
    );
    expect(instrumentOpenAIAudio(client, { meter: fx.meter })).toBe(client);
  });
});
