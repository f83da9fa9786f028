import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import Cartesia, { RateLimitError } from '@cartesia/cartesia-js';
import { LOOPBACK_TLS_CERT, startCartesiaSim, type SpeechSim } from '@agentmeter/provider-sim';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentCartesia } from '../src/index.ts';
import { drain, meterFixture, type MeterFixture } from './fixtures.ts';

const TEXT = 'Hello from the loopback server.'; // 31 characters
const SONIC = { provider: 'cartesia', model: 'sonic-3' };
const RAW = { container: 'raw', encoding: 'pcm_s16le', sample_rate: 16000 } as const;

describe('instrumentCartesia', () => {
  let fx: MeterFixture;
  let sim: SpeechSim;
  let client: Cartesia;

  beforeAll(() => {
    // The SDK opens its socket over wss:// with Node's WebSocket: trust the simulator's certificate.
    setDefaultCACertificates([...getCACertificates('default'), LOOPBACK_TLS_CERT]);
  });
  beforeEach(async () => {
    fx = meterFixture();
    sim = await startCartesiaSim({ firstByteMs: () => (fx.clock.advance(150), 0), chunks: 4 });
    client = instrumentCartesia(new Cartesia({ apiKey: 'sk_car_test', baseURL: sim.url, maxRetries: 0 }), {
      meter: fx.meter,
    });
  });
  afterEach(async () => {
    await sim.close();
    await fx.reader.shutdown();
  });

  it('meters tts.generate (bytes) with exact audio seconds and cost', async () => {
    const response = await client.tts.generate({
      model_id: 'sonic-3',
      transcript: TEXT,
      voice: { mode: 'id', id: 'v1' } as never,
      output_format: RAW,
    });
    const reader = response.body!.getReader();
    let bytes = (await reader.read()).value!.byteLength;
    fx.clock.advance(40);
    for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.byteLength;
    expect(bytes).toBe(49_600); // 1.55 s of 16 kHz 16-bit PCM
    const data = await fx.collect();
    expect(data.value('agentmeter.tts.requests', { ...SONIC, status: 'success' })).toBe(1);
    expect(data.histogram('agentmeter.tts.time_to_first_audio', SONIC)).toMatchObject({ count: 1, sum: 0.15 });
    expect(data.histogram('agentmeter.tts.latency', { ...SONIC, status: 'success' })?.sum).toBeCloseTo(0.19, 9);
    expect(data.value('agentmeter.tts.characters', SONIC)).toBe(31);
    expect(data.value('agentmeter.tts.audio', SONIC)).toBeCloseTo(1.55, 9);
    expect(data.value('agentmeter.api.cost.usd', { ...SONIC, service: 'tts' })).toBeCloseTo(31 * 0.00003, 12);
  });

  it('skips the WAV header when counting seconds', async () => {
    const response = await client.tts.generate({
      model_id: 'sonic-3',
      transcript: TEXT,
      voice: { mode: 'id', id: 'v1' } as never,
      output_format: { ...RAW, container: 'wav' },
    });
    expect(await drain(response.body!)).toBe(49_644);
    expect((await fx.collect()).value('agentmeter.tts.audio', SONIC)).toBeCloseTo(1.55, 9);
  });

  it('meters tts.generateSSE event by event', async () => {
    const stream = await client.tts.generateSSE({
      model_id: 'sonic-3',
      transcript: TEXT,
      voice: { mode: 'id', id: 'v1' } as never,
      output_format: RAW,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['chunk', 'chunk', 'chunk', 'chunk', 'done']);
    const data = await fx.collect();
    expect(data.value('agentmeter.tts.requests', { ...SONIC, status: 'success' })).toBe(1);
    expect(data.histogram('agentmeter.tts.time_to_first_audio', SONIC)).toMatchObject({ count: 1, sum: 0.15 });
    expect(data.value('agentmeter.tts.audio', SONIC)).toBeCloseTo(1.55, 9);
  });

  it('counts 429 and timeouts over HTTP', async () => {
    sim.faults.push({ kind: 'rate_limit', retryAfterSeconds: 0 }, { kind: 'hang' });
    const body = {
      model_id: 'sonic-3',
      transcript: TEXT,
      voice: { mode: 'id', id: 'v1' } as never,
      output_format: RAW,
    };
    await expect(client.tts.generate(body)).rejects.toBeInstanceOf(RateLimitError);
    await expect(client.tts.generateSSE(body, { timeout: 200 })).rejects.toThrow();
    const data = await fx.collect();
    expect(data.value('agentmeter.tts.errors', { ...SONIC, error_type: 'rate_limit' })).toBe(1);
    expect(data.value('agentmeter.tts.errors', { ...SONIC, error_type: 'timeout' })).toBe(1);
  });

  describe('over the WebSocket', () => {
    let wsClient: Cartesia;
    beforeEach(() => {
      wsClient = instrumentCartesia(new Cartesia({ apiKey: 'sk_car_test', baseURL: sim.tlsUrl!, maxRetries: 0 }), {
        meter: fx.meter,
      });
    });

    it('meters each context: generate() and streamed pushes', async () => {
      const ws = await wsClient.tts.websocket();
      ws.on('error', () => {});
      await ws.connect();
      const events: string[] = [];
      for await (const event of ws.generate({
        model_id: 'sonic-3',
        transcript: TEXT,
        voice: { mode: 'id', id: 'v1' },
        output_format: RAW,
      }))
        events.push(event.type);
      expect(events).toEqual(['chunk', 'chunk', 'chunk', 'chunk', 'done']);

      const context = ws.context({ model_id: 'sonic-3', voice: { mode: 'id', id: 'v1' }, output_format: RAW });
      await context.push({ transcript: 'Twenty characters!! ' });
      await context.push({ transcript: 'and ten...' });
      await context.no_more_inputs();
      let chunks = 0;
      for await (const event of context.receive()) if (event.type === 'chunk') chunks++;
      expect(chunks).toBe(8);
      ws.close();

      const data = await fx.collect();
      expect(data.value('agentmeter.tts.requests', { ...SONIC, status: 'success' })).toBe(2);
      // The first context's first audio came exactly 150 ms in; the second's after its pushes.
      expect(data.histogram('agentmeter.tts.time_to_first_audio', SONIC)).toMatchObject({ count: 2, min: 0.15 });
      expect(data.value('agentmeter.tts.characters', SONIC)).toBe(61);
      expect(data.value('agentmeter.tts.audio', SONIC)).toBeCloseTo(61 * 0.05, 9);
    });

    it('counts error events (429, 500) and a receive timeout', async () => {
      for (const fault of [{ kind: 'rate_limit' }, { kind: 'server_error' }] as const) {
        sim.faults.push(fault);
        const ws = await wsClient.tts.websocket();
        ws.on('error', () => {});
        await ws.connect();
        await expect(
          (async () => {
            for await (const _ of ws.generate({
              model_id: 'sonic-3',
              transcript: TEXT,
              voice: { mode: 'id', id: 'v1' },
              output_format: RAW,
            })) {
              /* drain */
            }
          })(),
        ).rejects.toThrow();
        ws.close();
      }

      sim.faults.push({ kind: 'hang' });
      const quiet = await wsClient.tts.websocket();
      quiet.on('error', () => {});
      await quiet.connect();
      const context = quiet.context({
        model_id: 'sonic-3',
        voice: { mode: 'id', id: 'v1' },
        output_format: RAW,
        timeout: 100,
      });
      await context.send({ transcript: TEXT });
      await expect(
        (async () => {
          for await (const _ of context.receive()) {
            /* drain */
          }
        })(),
      ).rejects.toThrow(/timed out|timeout/i);
      quiet.close();

      const data = await fx.collect();
      expect(data.value('agentmeter.tts.errors', { ...SONIC, error_type: 'rate_limit' })).toBe(1);
      expect(data.value('agentmeter.tts.errors', { ...SONIC, error_type: 'server_error' })).toBe(1);
      expect(data.value('agentmeter.tts.errors', { ...SONIC, error_type: 'timeout' })).toBe(1);
      expect(data.value('agentmeter.tts.requests', { ...SONIC, status: 'error' })).toBe(3);
    });

    it('ends a cancelled context (barge-in) as a success', async () => {
      const ws = await wsClient.tts.websocket();
      ws.on('error', () => {});
      await ws.connect();
      const context = ws.context({ model_id: 'sonic-3', voice: { mode: 'id', id: 'v1' }, output_format: RAW });
      await context.send({ transcript: TEXT, continue: true });
      await context.cancel();
      ws.close();
      const data = await fx.collect();
      expect(data.value('agentmeter.tts.requests', { ...SONIC, status: 'success' })).toBe(1);
      expect(data.value('agentmeter.tts.characters', SONIC)).toBe(31);
    });
  });

  it('fails fast on a client without tts', () => {
    expect(() => instrumentCartesia({ tts: {} } as never, { meter: fx.meter })).toThrow(/tts.generate/);
  });
});
