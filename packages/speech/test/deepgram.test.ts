import { DeepgramClient } from '@deepgram/sdk';
import { startDeepgramSim, wavFile, type SpeechSim } from '@agentmeter/provider-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentDeepgram } from '../src/index.ts';
import { meterFixture, type MeterFixture } from './fixtures.ts';

const NOVA = { provider: 'deepgram', model: 'nova-3' };

function clientFor(sim: SpeechSim): DeepgramClient {
  const ws = sim.url.replace('http', 'ws');
  return new DeepgramClient({
    apiKey: 'dg-test',
    environment: { base: sim.url, production: ws, agent: ws, agentRest: sim.url },
    maxRetries: 0,
  });
}

function closed(live: {
  on(event: 'close', cb: (event: { code?: number }) => void): void;
}): Promise<number | undefined> {
  return new Promise((resolve) => live.on('close', (event) => resolve(event.code)));
}

describe('instrumentDeepgram', () => {
  let fx: MeterFixture;
  let sim: SpeechSim;
  let client: DeepgramClient;

  beforeEach(async () => {
    fx = meterFixture();
    sim = await startDeepgramSim({ firstByteMs: () => (fx.clock.advance(100), 0), repeatFinals: false });
    client = instrumentDeepgram(clientFor(sim), { meter: fx.meter, clock: fx.clock });
  });
  afterEach(async () => {
    await sim.close();
    await fx.reader.shutdown();
  });

  it('meters prerecorded transcribeFile from metadata.duration, keeping withRawResponse', async () => {
    const result = await client.listen.v1.media.transcribeFile(wavFile(2.5), { model: 'nova-3' });
    expect('results' in result && result.results.channels[0]?.alternatives?.[0]?.transcript).toBe(
      'simulated speech of 2.50 seconds',
    );
    const { rawResponse } = await client.listen.v1.media
      .transcribeFile(wavFile(1.5), { model: 'nova-3' })
      .withRawResponse();
    expect(rawResponse.status).toBe(200);
    const data = await fx.collect();
    expect(data.value('agentmeter.stt.requests', { ...NOVA, status: 'success' })).toBe(2);
    expect(data.histogram('agentmeter.stt.latency', { ...NOVA, status: 'success' })?.sum).toBeCloseTo(0.2, 9);
    expect(data.value('agentmeter.stt.audio', NOVA)).toBe(4);
    expect(data.value('agentmeter.api.cost.usd', { ...NOVA, service: 'stt' })).toBeCloseTo((4 / 60) * 0.0043, 12);
  });

  it('counts prerecorded 429, 500, timeouts and bad requests', async () => {
    sim.faults.push({ kind: 'rate_limit', retryAfterSeconds: 0 }, { kind: 'server_error' }, { kind: 'hang' });
    const audio = wavFile(1);
    await expect(client.listen.v1.media.transcribeFile(audio, { model: 'nova-3' })).rejects.toThrow();
    await expect(client.listen.v1.media.transcribeFile(audio, { model: 'nova-3' })).rejects.toThrow();
    await expect(
      client.listen.v1.media.transcribeFile(audio, { model: 'nova-3' }, { timeoutInSeconds: 0.2 }),
    ).rejects.toThrow();
    await expect(
      client.listen.v1.media.transcribeUrl({ url: 'https://example.com/a.wav', model: 'nova-3' }),
    ).rejects.toThrow();
    const data = await fx.collect();
    for (const errorType of ['rate_limit', 'server_error', 'timeout', 'bad_request']) {
      expect(data.value('agentmeter.stt.errors', { ...NOVA, error_type: errorType }), errorType).toBe(1);
    }
    expect(data.value('agentmeter.stt.requests', { ...NOVA, status: 'error' })).toBe(4);
  });

  it('meters a live session: final results, CloseStream and Metadata', async () => {
    const live = await client.listen.v1.connect({
      model: 'nova-3',
      encoding: 'linear16',
      sample_rate: 16000,
      interim_results: 'true',
      reconnectAttempts: 0,
    });
    const types: string[] = [];
    live.on('message', (message) =>
      types.push(`${message.type}${'is_final' in message ? `:${String(message.is_final)}` : ''}`),
    );
    const ended = closed(live);
    live.connect();
    await live.waitForOpen();
    live.sendMedia(new Uint8Array(32_000)); // 1 s of 16 kHz 16-bit audio
    live.sendMedia(new Uint8Array(16_000)); // 0.5 s
    live.sendCloseStream({ type: 'CloseStream' });
    await ended;
    expect(types).toEqual(['Results:false', 'Results:true', 'Results:false', 'Results:true', 'Metadata']);
    const data = await fx.collect();
    expect(data.value('agentmeter.stt.requests', { ...NOVA, status: 'success' })).toBe(1);
    // The server took 100 ms per audio message and 100 ms to finalize after CloseStream.
    expect(data.histogram('agentmeter.stt.latency', { ...NOVA, status: 'success' })).toMatchObject({
      count: 1,
      sum: 0.3,
    });
    expect(data.value('agentmeter.stt.audio', NOVA)).toBe(1.5);
    expect(data.value('agentmeter.api.cost.usd', { ...NOVA, service: 'stt' })).toBeCloseTo((1.5 / 60) * 0.0077, 12);
  });

  it('drops a repeated final result as duplicate_final, counting its audio once', async () => {
    await sim.close();
    sim = await startDeepgramSim({ repeatFinals: true });
    client = instrumentDeepgram(clientFor(sim), { meter: fx.meter, clock: fx.clock });
    const live = await client.listen.v1.connect({
      model: 'nova-3',
      encoding: 'linear16',
      sample_rate: 16000,
      reconnectAttempts: 0,
    });
    const ended = closed(live);
    live.connect();
    await live.waitForOpen();
    live.sendMedia(new Uint8Array(32_000));
    live.sendCloseStream({ type: 'CloseStream' });
    await ended;
    const data = await fx.collect();
    expect(data.value('agentmeter.voice.events_dropped', { reason: 'duplicate_final' })).toBe(1);
    expect(data.value('agentmeter.stt.audio', NOVA)).toBe(1);
  });

  it('counts a live session closed by the server as an error', async () => {
    sim.faults.push({ kind: 'server_error' });
    const live = await client.listen.v1.connect({ model: 'nova-3', reconnectAttempts: 0 });
    live.on('error', () => {});
    const ended = closed(live);
    live.connect();
    expect(await ended).toBe(1011);
    const data = await fx.collect();
    expect(data.value('agentmeter.stt.errors', { ...NOVA, error_type: 'server_error' })).toBe(1);
    expect(data.value('agentmeter.stt.requests', { ...NOVA, status: 'error' })).toBe(1);
  });

  it('counts a refused live upgrade (429) as rate_limit', async () => {
    sim.faults.push({ kind: 'rate_limit', retryAfterSeconds: 0 });
    const live = await client.listen.v1.connect({ model: 'nova-3', reconnectAttempts: 0 });
    const failed = new Promise((resolve) => live.on('error', resolve));
    live.connect();
    await failed;
    // The wrapper waits one macrotask after the close for the error that explains it.
    await expect
      .poll(async () => (await fx.collect()).value('agentmeter.stt.errors', { ...NOVA, error_type: 'rate_limit' }), {
        timeout: 20_000,
      })
      .toBe(1);
    const data = await fx.collect();
    expect(data.value('agentmeter.stt.requests', { ...NOVA, status: 'error' })).toBe(1);
    live.close();
  });

  it('meters Aura text-to-speech (speak.v1.audio.generate) on the same BinaryResponse', async () => {
    const aura = { provider: 'deepgram', model: 'aura-2-thalia-en' };
    const text = 'Hello from the loopback server.'; // 31 characters
    const response = await client.speak.v1.audio.generate({
      text,
      model: 'aura-2-thalia-en',
      encoding: 'linear16',
      sample_rate: 16000,
    });
    const reader = response.stream()!.getReader();
    let bytes = (await reader.read()).value!.byteLength;
    fx.clock.advance(30);
    for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.byteLength;
    expect(bytes).toBe(44 + 49_600); // a WAV header, then 1.55 s of 16 kHz 16-bit audio
    const second = await client.speak.v1.audio.generate({
      text: 'Hi!',
      model: 'aura-2-thalia-en',
      encoding: 'mulaw',
      sample_rate: 8000,
    });
    expect((await second.arrayBuffer()).byteLength).toBe(1200);
    expect(second.bodyUsed).toBe(true);
    sim.faults.push({ kind: 'rate_limit', retryAfterSeconds: 0 });
    await expect(client.speak.v1.audio.generate({ text, model: 'aura-2-thalia-en' })).rejects.toThrow();
    const data = await fx.collect();
    expect(data.value('agentmeter.tts.requests', { ...aura, status: 'success' })).toBe(2);
    expect(data.histogram('agentmeter.tts.time_to_first_audio', aura)).toMatchObject({ count: 2, min: 0.1 });
    expect(data.histogram('agentmeter.tts.latency', { ...aura, status: 'success' })?.max).toBeCloseTo(0.13, 9);
    expect(data.value('agentmeter.tts.characters', aura)).toBe(34);
    expect(data.value('agentmeter.tts.audio', aura)).toBeCloseTo(1.55 + 0.15, 9);
    expect(data.value('agentmeter.tts.errors', { ...aura, error_type: 'rate_limit' })).toBe(1);
  });

  it('fails fast on a client without listen.v1', () => {
    expect(() => instrumentDeepgram({} as never, { meter: fx.meter })).toThrow(/listen.v1/);
    expect(() => instrumentDeepgram(client, { meter: fx.meter, clock: 5 as never })).toThrow(/clock/);
  });
});
