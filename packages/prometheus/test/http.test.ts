import { inspect } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusExporter } from '../src/index.ts';
import { parseExposition } from './support/parse.ts';
import { setup, type Setup } from './support/fixtures.ts';
import { rawRequest } from './support/http.ts';

const TOKEN = 's3cr3t-token-value';
const OPENMETRICS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

let current: Setup | undefined;
async function started(
  options: ConstructorParameters<typeof PrometheusExporter>[0] = {},
): Promise<Setup & { url: string }> {
  current = setup(options);
  current.meter.instruments.requests.add(7, { status: 'ok' });
  current.meter.instruments.llmLatency.record(0.3, { provider: 'openai', model: 'gpt-4o' });
  return { ...current, url: await current.exporter.start() };
}
afterEach(async () => {
  await current?.provider.shutdown();
  current = undefined;
  diag.disable();
});

describe('own port', () => {
  it('does nothing in the constructor and listens on 127.0.0.1 after start()', async () => {
    current = setup();
    expect(current.exporter.url).toBeUndefined();
    const url = await current.exporter.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await current.exporter.start()).toBe(url);
    await current.provider.shutdown();
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
    current = undefined;
  });

  it('fails start() with a message naming the option when the port is taken', async () => {
    const { url } = await started();
    const second = new PrometheusExporter({ port: Number(new URL(url).port), env: {} });
    await expect(second.start()).rejects.toThrow(
      /cannot listen on 127\.0\.0\.1:\d+; set another port \(option port or AGENTMETER_PROMETHEUS_PORT\)/,
    );
  });
});

describe('content negotiation', () => {
  it('serves text 0.0.4 by default and OpenMetrics when Prometheus asks for it', async () => {
    const { url } = await started();
    const text = await rawRequest(`${url}/metrics`);
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    parseExposition(text.body, 'text');
    const openMetrics = await rawRequest(`${url}/metrics`, { headers: { accept: OPENMETRICS_ACCEPT } });
    expect(openMetrics.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(parseExposition(openMetrics.body, 'openmetrics').types.get('agentmeter_requests')).toBe('counter');
  });

  it.each([
    'garbage',
    ';;;,,,',
    'application/openmetrics-text;version=9.9.9',
    'application/openmetrics-text;q=0',
    'application/openmetrics-text;q=abc',
    'text/plain;q=1,application/openmetrics-text;q=0.5',
    '\u00ff\u00fe',
    'a'.repeat(8000),
  ])('answers a malformed or unsupported Accept (%s) with text', async (accept) => {
    const { url } = await started();
    const response = await rawRequest(`${url}/metrics`, { headers: { accept } });
    expect([response.status, response.headers['content-type']]).toEqual([
      200,
      'text/plain; version=0.0.4; charset=utf-8',
    ]);
  });

  it('gzips for clients that accept it, and not for q=0', async () => {
    const { url } = await started();
    const plain = await rawRequest(`${url}/metrics`);
    const zipped = await rawRequest(`${url}/metrics`, { headers: { 'accept-encoding': 'br;q=1, gzip;q=0.8' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    expect(gunzipSync(zipped.body).toString()).toBe(plain.body.toString());
    const refused = await rawRequest(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });
});

describe('methods and paths', () => {
  it('answers HEAD with the GET headers and no body', async () => {
    const { url } = await started();
    const get = await rawRequest(`${url}/metrics`);
    const head = await rawRequest(`${url}/metrics`, { method: 'HEAD' });
    expect([head.status, head.body.length, head.headers['content-length']]).toEqual([200, 0, String(get.body.length)]);
  });

  it.each(['POST', 'PUT', 'DELETE'])('answers %s with 405 and Allow', async (method) => {
    const { url } = await started();
    for (const path of ['/metrics', '/api/metrics', '/api/health']) {
      const response = await rawRequest(`${url}${path}`, { method });
      expect([response.status, response.headers['allow']]).toEqual([405, 'GET, HEAD']);
    }
  });

  it('answers unknown paths with 404 and ignores query strings', async () => {
    const { url } = await started();
    expect((await rawRequest(`${url}/nope`)).status).toBe(404);
    expect((await rawRequest(`${url}/metrics?x=1`)).status).toBe(200);
  });

  it('serves custom paths and turns endpoints off', async () => {
    const { url } = await started({ endpoint: '/prom', jsonEndpoint: false, healthEndpoint: '/healthz' });
    expect((await rawRequest(`${url}/prom`)).status).toBe(200);
    expect((await rawRequest(`${url}/metrics`)).status).toBe(404);
    expect((await rawRequest(`${url}/api/metrics`)).status).toBe(404);
    expect((await rawRequest(`${url}/healthz`)).status).toBe(200);
  });
});

describe('bearer token', () => {
  it('answers 401 with WWW-Authenticate without the token or with a wrong one, 200 with it', async () => {
    const { url } = await started({ token: TOKEN });
    const missing = await rawRequest(`${url}/metrics`);
    expect([missing.status, missing.headers['www-authenticate']]).toEqual([401, 'Bearer realm="metrics"']);
    for (const authorization of [
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${TOKEN}`,
      TOKEN,
      'Bearer',
      `Bearer ${TOKEN} extra`,
      `Bearer ${'x'.repeat(10_000)}`,
    ]) {
      const wrong = await rawRequest(`${url}/metrics`, { headers: { authorization } });
      expect([wrong.status, wrong.headers['www-authenticate']]).toEqual([
        401,
        'Bearer realm="metrics", error="invalid_token"',
      ]);
      expect(wrong.body.toString()).not.toContain(TOKEN);
    }
    for (const authorization of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `  BEARER   ${TOKEN}  `]) {
      expect((await rawRequest(`${url}/metrics`, { headers: { authorization } })).status).toBe(200);
    }
    expect((await rawRequest(`${url}/api/metrics`)).status).toBe(401);
    expect((await rawRequest(`${url}/api/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
      200,
    );
    expect((await rawRequest(`${url}/api/health`)).status).toBe(200);
  });

  it('reads AGENTMETER_METRICS_TOKEN and never writes the token to logs or errors', async () => {
    const logged: string[] = [];
    const capture = (...args: unknown[]): void => {
      logged.push(args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack}` : String(arg))).join(' '));
    };
    diag.setLogger(
      { error: capture, warn: capture, info: capture, debug: capture, verbose: capture },
      DiagLogLevel.ALL,
    );
    const { url } = await started({ env: { AGENTMETER_METRICS_TOKEN: TOKEN } });
    expect((await rawRequest(`${url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await rawRequest(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    let message = '';
    try {
      expect(new PrometheusExporter({ token: `${TOKEN} with space`, env: {} })).toBeUndefined();
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/token must be .* \(option token or AGENTMETER_METRICS_TOKEN\)/);
    expect([message, ...logged].join('\n')).not.toContain(TOKEN);
    expect(inspect(current?.exporter, { depth: 6 })).not.toContain(TOKEN);
  });
});

describe('a failing producer', () => {
  it('answers /metrics with 500 and no details, while /api/health still answers', async () => {
    diag.setLogger(
      { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} },
      DiagLogLevel.ERROR,
    );
    const broken = {
      collect: async (): Promise<never> => {
        throw new Error('producer exploded');
      },
    };
    current = setup({ metricProducers: [broken] });
    const url = await current.exporter.start();
    const metrics = await rawRequest(`${url}/metrics`);
    expect([metrics.status, metrics.body.toString()]).toEqual([500, 'Collection failed; see the service log\n']);
    const health = await rawRequest(`${url}/api/health`);
    expect([health.status, JSON.parse(health.body.toString()).metrics.active_sessions]).toEqual([200, 0]);
  });
});

describe('/api/metrics', () => {
  it('returns counters, gauges and histograms with count, sum and estimated quantiles', async () => {
    const { url, meter } = await started();
    meter.instruments.activeSessions.add(3);
    for (const value of [0.1, 0.2, 0.3, 0.4, 4]) meter.instruments.responseTime.record(value);
    const response = await rawRequest(`${url}/api/metrics`);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(response.body.toString());
    expect(body.counters['agentmeter_requests_total']).toEqual({
      help: 'Requests handled by the service, by outcome.',
      unit: '{request}',
      series: [{ labels: { status: 'ok' }, value: 7 }],
    });
    expect(body.gauges['agentmeter_active_sessions'].series).toEqual([{ labels: {}, value: 3 }]);
    const [series] = body.histograms['agentmeter_response_time_seconds'].series;
    expect(series.count).toBe(5);
    expect(series.sum).toBeCloseTo(5, 10);
    expect(series.p50).toBeGreaterThanOrEqual(0.2);
    expect(series.p50).toBeLessThanOrEqual(0.5);
    expect(series.p99).toBeLessThanOrEqual(4);
    expect(Date.parse(body.timestamp)).not.toBeNaN();
  });
});

describe('options', () => {
  it.each([
    [{ port: -1 }, /port must be a whole number from 0 to 65535/],
    [{ port: 65536 }, /port must be a whole number/],
    [{ port: Number.NaN }, /port must be a whole number/],
    [{ port: 1.5 }, /port must be a whole number/],
    [{ port: '9464' }, /port must be a whole number/],
    [{ env: { AGENTMETER_PROMETHEUS_PORT: 'abc' } }, /AGENTMETER_PROMETHEUS_PORT/],
    [{ endpoint: 'metrics' }, /endpoint must be a path starting with \//],
    [{ endpoint: '/a b' }, /endpoint must be a path/],
    [{ jsonEndpoint: '/metrics' }, /must differ/],
    [{ token: '' }, /token/],
    [{ token: 42 }, /token/],
    [{ metricProducers: [{}] }, /metricProducers must be an array of MetricProducers/],
    [{ metricProducers: 'x' }, /metricProducers/],
    [{ meter: {} }, /meter must be an AgentMeter/],
    [{ gzip: 'yes' }, /gzip must be true or false/],
    [{ host: '' }, /host must be/],
    [{ health: { timeoutMs: -5 } }, /timeoutMs must be a number of milliseconds/],
    [{ health: { checks: { 'bad name!': () => true } } }, /dependency names/],
    [{ health: { checks: { db: { required: true } } } }, /expected a function or \{ check\(signal\) \}/],
  ])('rejects %j at construction', (options, message) => {
    expect(() => new PrometheusExporter({ env: {}, ...(options as object) })).toThrow(message);
  });

  it('reads the port and host from the environment', async () => {
    current = setup({ env: { AGENTMETER_PROMETHEUS_PORT: '0', AGENTMETER_PROMETHEUS_HOST: 'localhost' } });
    expect(await current.exporter.start()).toMatch(/^http:\/\/(127\.0\.0\.1|\[::1\]):\d+$/);
  });
});
