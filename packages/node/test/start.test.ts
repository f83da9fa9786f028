import { createServer, get } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AgentMeterConfigError } from '@agentmeter/core';
import { afterEach, describe, expect, it } from 'vitest';
import { runningHandle, start } from '../src/index.ts';
import type { AgentMeterHandle } from '../src/index.ts';
import nodeManifest from '../package.json' with { type: 'json' };
import { close, collectingLogger, listen, samples, scrape, value } from './helpers.ts';

let handle: AgentMeterHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

const PROMETHEUS = { host: '127.0.0.1', port: 0 } as const;

describe('start() with a node:http service', () => {
  it('exports HTTP server, client, active-request, meter, runtime and resource metrics on /metrics', async () => {
    const log = collectingLogger();
    handle = start({
      serviceName: 'svc',
      serviceVersion: '1.2.3',
      environment: 'test',
      prometheus: PROMETHEUS,
      diagLogger: log.logger,
    });
    await handle.ready;
    let release!: () => void;
    let entered!: () => void;
    const slowEntered = new Promise<void>((resolve) => (entered = resolve));
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      if (request.url === '/slow') {
        entered();
        release = () => response.end('late');
        return;
      }
      response.statusCode = request.url === '/fail' ? 500 : 200;
      response.end('body');
    });
    const port = await listen(server);
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 3; i++) await (await fetch(`${base}/ok?id=${i}`)).text();
    await (await fetch(`${base}/fail`, { method: 'POST' })).text();
    await new Promise<void>((resolve) => get(`${base}/ok`, (response) => response.resume().on('end', resolve)));
    const slow = fetch(`${base}/slow`).then((response) => response.text());
    await slowEntered;

    const during = await scrape(handle.prometheusUrl!);
    expect(value(during, 'http_server_active_requests', { http_request_method: 'GET' })).toBe(1);
    // A method whose requests all finished before the scrape still has its series, at 0.
    expect(value(during, 'http_server_active_requests', { http_request_method: 'POST' })).toBe(0);
    release();
    expect(await slow).toBe('late');
    // The handle is the meter as well.
    expect(handle.trackRequest({}, () => 'done')).toBe('done');
    expect(handle.instruments).toBe(handle.meter.instruments);
    expect(handle.namespace).toBe('agentmeter');

    const text = await scrape(handle.prometheusUrl!);
    const server200 = { http_request_method: 'GET', http_response_status_code: '200', url_scheme: 'http' };
    expect(value(text, 'http_server_request_duration_seconds_count', server200)).toBe(5);
    expect(
      value(text, 'http_server_request_duration_seconds_count', {
        http_request_method: 'POST',
        http_response_status_code: '500',
        error_type: '500',
      }),
    ).toBe(1);
    // The scrapes themselves are not counted, and raw paths (/ok?id=1) never become labels.
    expect(
      samples(text, 'http_server_request_duration_seconds_count')
        .map(([, count]) => count)
        .toSorted(),
    ).toEqual([1, 5]);
    expect(text).not.toContain('id=1');
    expect(value(text, 'http_server_active_requests', { http_request_method: 'GET' })).toBe(0);
    // Outgoing: one http.get (node:http's client channels) and five fetches (undici's channels).
    const client = { server_address: '127.0.0.1', server_port: String(port) };
    const total = (labels: Record<string, string>): number =>
      samples(text, 'http_client_request_duration_seconds_count', { ...client, ...labels }).reduce(
        (sum, [, count]) => sum + count,
        0,
      );
    expect(total({ http_request_method: 'GET', http_response_status_code: '200' })).toBe(5);
    expect(total({ http_request_method: 'POST', http_response_status_code: '500' })).toBe(1);
    expect(samples(text, 'http_client_request_duration_seconds_count', client)).toHaveLength(3);
    expect(value(text, 'agentmeter_requests_total', { status: 'success' })).toBe(1);
    expect(value(text, 'agentmeter_response_time_seconds_count')).toBe(1);

    const [[resource]] = [samples(text, 'target_info')[0]!];
    expect(resource).toMatchObject({
      service_name: 'svc',
      service_version: '1.2.3',
      deployment_environment_name: 'test',
      process_runtime_name: 'nodejs',
    });
    expect(resource['host_name']).toBeTruthy();
    expect(resource['process_pid']).toBe(String(process.pid));
    expect(Object.keys(resource)).not.toContain('process_command_args');

    expect(samples(text, 'v8js_memory_heap_used_bytes').length).toBeGreaterThan(0);
    expect(samples(text, 'nodejs_eventloop_utilization_ratio').length).toBe(1);
    expect(value(text, 'process_memory_usage')).toBeGreaterThan(0);
    expect(log.messages).toEqual([]);
    await close(server);
  });

  it('returns the running handle with one warning when called twice, and starts afresh after shutdown', async () => {
    const log = collectingLogger();
    handle = start({ prometheus: PROMETHEUS, diagLogger: log.logger, runtime: false, hostMetrics: false });
    const again = start({ namespace: 'other' });
    expect(again).toBe(handle);
    expect(runningHandle()).toBe(handle);
    expect(log.messages.filter((message) => message.includes('start() was already called'))).toHaveLength(1);
    await handle.ready;
    const url = handle.prometheusUrl!;
    await handle.shutdown();
    await handle.shutdown();
    expect(runningHandle()).toBeUndefined();
    await expect(fetch(url)).rejects.toThrow();

    handle = start({
      namespace: 'second',
      prometheus: PROMETHEUS,
      diagLogger: log.logger,
      runtime: false,
      hostMetrics: false,
    });
    expect(handle).not.toBe(again);
    await handle.ready;
    handle.meter.increment('restarts');
    // HTTP instrumentation works again after the restart (the same instrumentation, re-enabled).
    const server = createServer((_request, response) => response.end('again'));
    const port = await listen(server);
    expect(await (await fetch(`http://127.0.0.1:${port}/again`)).text()).toBe('again');
    const text = await scrape(handle.prometheusUrl!);
    expect(value(text, 'second_restarts_total')).toBe(1);
    expect(value(text, 'http_server_request_duration_seconds_count', { http_response_status_code: '200' })).toBe(1);
    await close(server);
  });

  it('leaves out what ignoreIncoming names, and measures the request when the hook throws', async () => {
    const log = collectingLogger();
    handle = start({
      prometheus: PROMETHEUS,
      runtime: false,
      hostMetrics: false,
      diagLogger: log.logger,
      http: {
        ignoreIncoming: (request) => {
          if (request.url === '/boom') throw new Error('hook failed');
          return request.url === '/healthz';
        },
      },
    });
    await handle.ready;
    const server = createServer((_request, response) => response.end('ok'));
    const port = await listen(server);
    for (const path of ['/healthz', '/healthz', '/boom', '/boom', '/work']) {
      expect(await (await fetch(`http://127.0.0.1:${port}${path}`)).text()).toBe('ok');
    }
    const text = await scrape(handle.prometheusUrl!);
    expect(value(text, 'http_server_request_duration_seconds_count', { http_request_method: 'GET' })).toBe(3);
    expect(log.messages.filter((message) => message.includes('ignoreIncoming threw'))).toHaveLength(1);
    await close(server);
  });

  it('brings active requests back to zero when a client disconnects mid-request', async () => {
    handle = start({ prometheus: PROMETHEUS, runtime: false, hostMetrics: false });
    await handle.ready;
    let entered!: () => void;
    let closed!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const responseClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = createServer((_request, response) => {
      response.once('close', closed);
      entered(); // never answers
    });
    const port = await listen(server);
    const abort = new AbortController();
    const pending = fetch(`http://127.0.0.1:${port}/hang`, { method: 'DELETE', signal: abort.signal }).then(
      () => 'answered',
      () => 'aborted',
    );
    await inHandler;
    expect(
      value(await scrape(handle.prometheusUrl!), 'http_server_active_requests', { http_request_method: 'DELETE' }),
    ).toBe(1);
    abort.abort();
    expect(await pending).toBe('aborted');
    await responseClosed;
    expect(
      value(await scrape(handle.prometheusUrl!), 'http_server_active_requests', { http_request_method: 'DELETE' }),
    ).toBe(0);
    await close(server);
  });

  it('asks for the bearer token when one is set', async () => {
    handle = start({ prometheus: { ...PROMETHEUS, token: 's3cret' }, runtime: false, hostMetrics: false });
    await handle.ready;
    const url = handle.prometheusUrl!;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong!' } })).status).toBe(401);
    expect(
      (await fetch(url.replace('/metrics', '/other'), { headers: { authorization: 'Bearer s3cret' } })).status,
    ).toBe(404);
    const text = await scrape(url, { authorization: 'Bearer s3cret' });
    expect(samples(text, 'target_info')).toHaveLength(1);
  });

  it('labels each sample with its scope: the HTTP metrics and the catalog apart; prometheus.scopeLabels: false leaves them out', async () => {
    handle = start({ prometheus: PROMETHEUS, runtime: false, hostMetrics: false });
    await handle.ready;
    handle.meter.instruments.requests.add(1, { status: 'ok' });
    const server = createServer((_request, response) => response.end('ok'));
    const port = await listen(server);
    await fetch(`http://127.0.0.1:${port}/`).then((response) => response.arrayBuffer());
    await close(server);
    const text = await scrape(handle.prometheusUrl!);
    expect(samples(text, 'agentmeter_requests_total')[0]?.[0]).toMatchObject({
      otel_scope_name: '@agentmeter/core',
      status: 'ok',
    });
    const http = samples(text, 'http_server_request_duration_seconds_count');
    expect(http.length).toBeGreaterThan(0);
    expect(http[0]?.[0]).toMatchObject({
      otel_scope_name: '@agentmeter/node',
      otel_scope_version: nodeManifest.version,
    });
    await handle.shutdown();
    handle = start({ prometheus: { ...PROMETHEUS, scopeLabels: false }, runtime: false, hostMetrics: false });
    await handle.ready;
    handle.meter.instruments.requests.add(1, { status: 'ok' });
    expect(await scrape(handle.prometheusUrl!)).not.toContain('otel_scope_');
  });

  it('warns once and keeps the service up when the /metrics port is taken', async () => {
    const blocker = createServer();
    const port = await listen(blocker);
    const log = collectingLogger();
    handle = start({
      prometheus: { host: '127.0.0.1', port },
      diagLogger: log.logger,
      runtime: false,
      hostMetrics: false,
    });
    await handle.ready;
    expect(handle.prometheusUrl).toBeUndefined();
    expect(log.messages, log.messages.join('\n')).toHaveLength(1);
    expect(log.messages[0]).toMatch(/could not listen on 127\.0\.0\.1:\d+ .*EADDRINUSE.*free port/);
    handle.meter.increment('still_recording');
    await close(blocker);
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it('keeps the meter working and starts no server, push or instrumentation', async () => {
    process.env['OTEL_SDK_DISABLED'] = 'true';
    try {
      handle = start({ otlp: { endpoint: 'http://127.0.0.1:1/v1/metrics' } });
      await handle.ready;
      expect(handle.prometheusUrl).toBeUndefined();
      expect(handle.otlpEndpoint).toBeUndefined();
      handle.meter.increment('still_fine');
      await handle.forceFlush();
    } finally {
      delete process.env['OTEL_SDK_DISABLED'];
    }
  });
});

describe('start() bad configuration fails before anything starts', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['a non-object', 'yes', /options object/],
    [
      'an OTLP endpoint that is not a URL',
      { otlp: { endpoint: 'http://collector host:4318/v1/metrics' } },
      /not a valid URL.*http:\/\/localhost:4318/,
    ],
    ['an OTLP endpoint with another scheme', { otlp: { endpoint: 'ftp://collector/v1/metrics' } }, /http: or https:/],
    ['an empty OTLP endpoint', { otlp: { endpoint: '' } }, /must be an http\(s\) URL/],
    [
      'a port that is NaN',
      { prometheus: { port: Number.NaN } },
      /prometheus.port must be a whole number from 0 to 65535/,
    ],
    ['a port that is Infinity', { prometheus: { port: Infinity } }, /prometheus.port/],
    ['a negative port', { prometheus: { port: -1 } }, /prometheus.port/],
    ['a port too high', { prometheus: { port: 70_000 } }, /prometheus.port/],
    ['a port given as text', { prometheus: { port: '9464' } }, /prometheus.port/],
    ['a path without a slash', { prometheus: { endpoint: 'metrics' } }, /prometheus.endpoint must be a path/],
    ['a token with spaces', { prometheus: { token: 'a b' } }, /token/],
    ['prometheus: true', { prometheus: true }, /prometheus must be an options object or false/],
    ['scopeLabels as text', { prometheus: { scopeLabels: 'no' } }, /prometheus.scopeLabels must be true or false/],
    [
      'a timeout above the interval',
      { otlp: { endpoint: 'http://127.0.0.1:1/v1/metrics', intervalMillis: 1000, timeoutMillis: 5000 } },
      /must not exceed/,
    ],
    [
      'a negative interval',
      { otlp: { endpoint: 'http://127.0.0.1:1/v1/metrics', intervalMillis: -5 } },
      /intervalMillis/,
    ],
    ['an empty service name', { serviceName: '' }, /serviceName must be a non-empty string/],
    ['a huge service name', { serviceName: 'x'.repeat(100_000) }, /at most 255/],
    ['http as a number', { http: 5 }, /http must be an options object or false/],
    ['a non-function ignore hook', { http: { ignoreIncoming: '/health' } }, /http.ignoreIncoming must be a function/],
    ['tracing as text', { http: { tracing: 'yes' } }, /http.tracing must be true or false/],
    ['tracing as NaN', { http: { tracing: Number.NaN } }, /http.tracing must be true or false/],
    ['runtime as text', { runtime: 'no' }, /runtime must be true, false or an object such as \{ gc: true \}/],
    ['an invalid namespace', { namespace: 'bad-name!' }, /namespace/],
    ['an unknown attribute family', { attributes: { nope: ['x'] } }, /unknown family/],
    ['a meter that is not one', { meter: {} }, /meter must be an AgentMeter/],
    [
      'metricReaders that are not readers',
      { metricReaders: ['prometheus'] },
      /metricReaders must be an array of OpenTelemetry MetricReaders/,
    ],
  ];
  it.each(cases)('rejects %s', (_name, options, message) => {
    expect(() => start(options as never)).toThrow(AgentMeterConfigError);
    expect(() => start(options as never)).toThrow(message);
    expect(runningHandle()).toBeUndefined();
  });
});
