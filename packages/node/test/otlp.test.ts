import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveStart } from '../src/config.ts';
import { start } from '../src/index.ts';
import type { AgentMeterHandle } from '../src/index.ts';
import { close, collectingLogger, listen } from './helpers.ts';
import { metric, startReceiver } from './otlp-receiver.ts';

const CUMULATIVE = 2;
const QUIET = { prometheus: false, runtime: false, hostMetrics: false } as const;

let handle: AgentMeterHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

async function serveOk(): Promise<{ server: Server; url: string }> {
  const server = createServer((_request, response) => response.end('ok'));
  return { server, url: `http://127.0.0.1:${await listen(server)}/` };
}

const waitFor = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe('OTLP/HTTP push', () => {
  it('pushes the meter and HTTP metrics with cumulative temporality and the resource', async () => {
    const receiver = await startReceiver();
    handle = start({
      ...QUIET,
      serviceName: 'pusher',
      otlp: { protocol: 'http/json', endpoint: receiver.url, headers: { 'x-scope-orgid': 'tenant' } },
    });
    expect(handle.otlpEndpoint).toBe(receiver.url);
    const { server, url } = await serveOk();
    await (await fetch(url)).text();
    handle.meter.increment('jobs', { kind: 'a' }, 2);
    handle.meter.trackLlmCall({ provider: 'openai', model: 'gpt-x' }, (call) => call.usage({ input: 10, output: 4 }));
    await handle.forceFlush();
    const first = receiver.exports.at(-1)!;
    expect(first.contentType).toMatch(/^application\/json/);
    expect(first.resource['service.name']).toBe('pusher');
    expect(metric(first, 'agentmeter.jobs')).toMatchObject({
      kind: 'sum',
      temporality: CUMULATIVE,
      monotonic: true,
      points: [{ attributes: { kind: 'a' }, value: 2 }],
    });
    expect(
      metric(first, 'agentmeter.llm.tokens')
        ?.points.map((p) => [p.attributes['token_type'], p.value])
        .toSorted(),
    ).toEqual([
      ['input', 10],
      ['output', 4],
    ]);
    const http = metric(first, 'http.server.request.duration')!;
    expect(http.temporality).toBe(CUMULATIVE);
    expect(http.points).toHaveLength(1);
    expect(http.points[0]!.count).toBe(1);
    expect(http.points[0]!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
    });

    handle.meter.increment('jobs', { kind: 'a' });
    await handle.forceFlush();
    // Cumulative: the second push carries the running total, not the change since the first.
    expect(metric(receiver.exports.at(-1)!, 'agentmeter.jobs')?.points[0]?.value).toBe(3);
    await handle.shutdown();
    // shutdown() flushed once more.
    expect(metric(receiver.exports.at(-1)!, 'agentmeter.jobs')?.points[0]?.value).toBe(3);
    await close(server);
    await receiver.close();
  });

  it('reads the endpoint and push settings from the standard environment variables', () => {
    const fromBase = resolveStart({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect(fromBase.otlp).toEqual({
      url: 'http://collector:4318/v1/metrics',
      protocol: 'http/protobuf',
      headers: undefined,
      compression: undefined,
      intervalMillis: 60_000,
      timeoutMillis: 30_000,
      requestTimeoutMillis: 24_000,
      exponentialHistograms: false,
    });
    const specific = resolveStart(
      {},
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://push.example/otlp/v1/metrics',
        OTEL_METRIC_EXPORT_INTERVAL: '15000',
        OTEL_METRIC_EXPORT_TIMEOUT: '5000',
      },
    );
    expect(specific.otlp).toMatchObject({
      url: 'https://push.example/otlp/v1/metrics',
      intervalMillis: 15_000,
      timeoutMillis: 5_000,
    });
    expect(specific.prometheus?.port).toBe(9464);
    expect(resolveStart({}, {}).otlp).toBeUndefined();
    expect(resolveStart({ otlp: false }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).otlp).toBeUndefined();
    expect(
      resolveStart({}, { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).prometheus,
    ).toBeUndefined();
    expect(
      resolveStart({}, { OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toMatchObject({ prometheus: undefined, otlp: undefined });
    expect(() => resolveStart({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector 4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT is not a valid URL/,
    );
    expect(() =>
      resolveStart({}, { OTEL_METRIC_EXPORT_INTERVAL: 'soon', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toThrow(/OTEL_METRIC_EXPORT_INTERVAL must be a whole number/);
    expect(() => resolveStart({}, { OTEL_METRICS_EXPORTER: 'otlp' })).toThrow(/no endpoint is set/);
    expect(() => resolveStart({}, { OTEL_METRICS_EXPORTER: 'statsd' })).toThrow(/prometheus, otlp, none/);
    expect(() => resolveStart({}, { OTEL_EXPORTER_PROMETHEUS_PORT: '-3' })).toThrow(
      /OTEL_EXPORTER_PROMETHEUS_PORT must be a whole number from 0 to 65535/,
    );
    expect(resolveStart({}, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http, runtime-node' })).toMatchObject({
      http: undefined,
      runtime: undefined,
      hostMetrics: true,
      express: true,
    });
  });
});

describe('OTLP protocols and the standard exporter variables', () => {
  it('picks the protocol from the option, then OTEL_EXPORTER_OTLP_METRICS_PROTOCOL, then OTEL_EXPORTER_OTLP_PROTOCOL', () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' };
    expect(resolveStart({}, { ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).otlp).toMatchObject({
      protocol: 'grpc',
      url: 'http://collector:4317/',
    });
    expect(
      resolveStart(
        {},
        { ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' },
      ).otlp,
    ).toMatchObject({ protocol: 'http/json', url: 'http://collector:4317/v1/metrics' });
    expect(
      resolveStart({ otlp: { protocol: 'http/protobuf' } }, { ...base, OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc' })
        .otlp?.protocol,
    ).toBe('http/protobuf');
    expect(resolveStart({}, { ...base, OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }).otlp?.compression).toBe('gzip');
    expect(
      resolveStart(
        {},
        { ...base, OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'none' },
      ).otlp?.compression,
    ).toBe('none');
    expect(resolveStart({}, { ...base, OTEL_EXPORTER_OTLP_TIMEOUT: '2000' }).otlp?.requestTimeoutMillis).toBe(2000);
    expect(
      resolveStart({}, { ...base, OTEL_EXPORTER_OTLP_TIMEOUT: '2000', OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '3000' }).otlp
        ?.requestTimeoutMillis,
    ).toBe(3000);
    expect(
      resolveStart(
        {},
        { ...base, OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: 'base2_exponential_bucket_histogram' },
      ).otlp?.exponentialHistograms,
    ).toBe(true);
  });

  it.each([
    [
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http' },
      /OTEL_EXPORTER_OTLP_PROTOCOL must be one of http\/protobuf, grpc, http\/json; got "http"/,
    ],
    [{ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'thrift' }, /OTEL_EXPORTER_OTLP_METRICS_PROTOCOL must be one of/],
    [{ OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli' }, /OTEL_EXPORTER_OTLP_COMPRESSION must be one of gzip, none/],
    [{ OTEL_EXPORTER_OTLP_TIMEOUT: 'NaN' }, /OTEL_EXPORTER_OTLP_TIMEOUT must be a whole number/],
    [{ OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '-1' }, /OTEL_EXPORTER_OTLP_METRICS_TIMEOUT must be a whole number/],
    [
      { OTEL_EXPORTER_OTLP_TIMEOUT: '40000' },
      /OTEL_EXPORTER_OTLP_TIMEOUT \(40000\) must not exceed the push time limit \(30000 ms/,
    ],
    [
      { OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: 'exponential' },
      /OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION must be one of explicit_bucket_histogram, base2_exponential_bucket_histogram/,
    ],
  ])('rejects %j at start', (env, message) => {
    expect(() => resolveStart({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', ...env })).toThrow(message);
  });

  it('rejects bad protocol and compression options', () => {
    expect(() => resolveStart({ otlp: { endpoint: 'http://c:4318', protocol: 'udp' as never } })).toThrow(
      /otlp.protocol must be one of/,
    );
    expect(() => resolveStart({ otlp: { endpoint: 'http://c:4318', compression: true as never } })).toThrow(
      /otlp.compression must be one of gzip, none; got true/,
    );
  });

  it('sends OTLP/HTTP protobuf by default, gzip-compressed when asked, with the headers from OTEL_EXPORTER_OTLP_HEADERS', async () => {
    const seen: Array<{
      type: string | undefined;
      encoding: string | undefined;
      auth: string | undefined;
      bytes: number;
    }> = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({
          type: request.headers['content-type'],
          encoding: request.headers['content-encoding'],
          auth: request.headers['authorization'],
          bytes: Buffer.concat(chunks).length,
        });
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    const port = await listen(server);
    process.env['OTEL_EXPORTER_OTLP_HEADERS'] = 'Authorization=Bearer%20from-env';
    try {
      handle = start({ ...QUIET, otlp: { endpoint: `http://127.0.0.1:${port}/v1/metrics`, compression: 'gzip' } });
      handle.meter.increment('jobs');
      await handle.forceFlush();
    } finally {
      delete process.env['OTEL_EXPORTER_OTLP_HEADERS'];
    }
    expect(seen.at(-1)).toMatchObject({ type: 'application/x-protobuf', encoding: 'gzip', auth: 'Bearer from-env' });
    expect(seen.at(-1)!.bytes).toBeGreaterThan(0);
    await close(server);
  });
});

describe('what each path carries by default', () => {
  it('pushes the GenAI conventions over OTLP next to the catalog, and /metrics serves the catalog alone', async () => {
    const receiver = await startReceiver();
    handle = start({
      runtime: false,
      hostMetrics: false,
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: { protocol: 'http/json', endpoint: receiver.url },
    });
    await handle.ready;
    handle.meter.startTtsCall({ provider: 'elevenlabs', model: 'flash' }).end();
    await handle.forceFlush();
    const pushed = receiver.exports.at(-1)!;
    expect(metric(pushed, 'gen_ai.client.operation.duration')?.points[0]?.attributes).toMatchObject({
      'gen_ai.operation.name': 'text_to_speech',
      'gen_ai.provider.name': 'elevenlabs',
      'gen_ai.request.model': 'flash',
    });
    expect(metric(pushed, 'agentmeter.tts.latency')?.points).toHaveLength(1);
    const text = await (await fetch(handle.prometheusUrl!)).text();
    expect(text).toContain('agentmeter_tts_latency_seconds_count{');
    expect(text).not.toContain('gen_ai_');
    await handle.shutdown();
    handle = undefined;
    await receiver.close();
  });
});

describe('OTLP faults: the service keeps serving', () => {
  it('warns once when the endpoint refuses connections, keeps serving, and keeps memory bounded', async () => {
    const closed = createServer();
    const deadPort = await listen(closed);
    await close(closed);
    const log = collectingLogger();
    handle = start({
      ...QUIET,
      diagLogger: log.logger,
      otlp: { endpoint: `http://127.0.0.1:${deadPort}/v1/metrics`, intervalMillis: 1000, timeoutMillis: 1000 },
    });
    const { server, url } = await serveOk();
    await waitFor(() => log.messages.length > 0);
    const heapBefore = process.memoryUsage().heapUsed;
    for (let round = 0; round < 40; round++) {
      handle.meter.increment('work', { round: 'same' });
      expect(await (await fetch(url)).text()).toBe('ok');
      await handle.forceFlush();
    }
    const grown = process.memoryUsage().heapUsed - heapBefore;
    expect(grown).toBeLessThan(32 * 1024 * 1024);
    const warnings = log.messages.filter((message) => message.includes('OTLP metric export'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(
        `OTLP metric export to http://127\\.0\\.0\\.1:${deadPort}/v1/metrics failed \\(.*\\); the service keeps running`,
      ),
    );
    expect(log.messages, log.messages.join('\n')).toHaveLength(1);
    await close(server);
  });

  it('warns once when the endpoint hangs, and shutdown still completes', async () => {
    const receiver = await startReceiver({ hold: true });
    const log = collectingLogger();
    handle = start({
      ...QUIET,
      diagLogger: log.logger,
      otlp: { protocol: 'http/json', endpoint: receiver.url, intervalMillis: 600, timeoutMillis: 600 },
    });
    const { server, url } = await serveOk();
    handle.meter.increment('work');
    await receiver.received(2);
    expect(await (await fetch(url)).text()).toBe('ok');
    await waitFor(() => log.messages.length > 0);
    await receiver.received(4);
    expect(log.messages, log.messages.join('\n')).toHaveLength(1);
    expect(log.messages[0]).toMatch(/OTLP metric export to .* failed/);
    await handle.shutdown();
    handle = undefined;
    receiver.release();
    await close(server);
    await receiver.close();
  });

  it('finishes an export in flight when shutdown() is called during it, and the final export carries the data', async () => {
    const receiver = await startReceiver({ hold: true });
    const log = collectingLogger();
    handle = start({
      ...QUIET,
      diagLogger: log.logger,
      otlp: { protocol: 'http/json', endpoint: receiver.url, intervalMillis: 60_000, timeoutMillis: 5_000 },
    });
    handle.meter.increment('orders', {}, 5);
    const flushing = handle.forceFlush();
    await receiver.received(1);
    expect(receiver.pending()).toBe(1);
    const stopping = handle.shutdown();
    handle = undefined;
    receiver.release();
    await flushing;
    await receiver.received(2);
    receiver.release();
    await stopping;
    expect(receiver.exports.map((received) => metric(received, 'agentmeter.orders')?.points[0]?.value)).toEqual([5, 5]);
    expect(log.messages).toEqual([]);
    await receiver.close();
  });
});
