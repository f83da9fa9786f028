import { request as httpRequest } from 'node:http';
import { AgentMeterConfigError, createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { resolveStart } from '../../../packages/node/src/config.ts';
import { PrometheusExporter, type PrometheusExporterOptions } from '@agentmeter/prometheus';
import { createEndpointServer, SERVER_TIMEOUTS } from '@agentmeter/prometheus/internal';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportFigure } from '../src/figures.ts';
import { parseExposition, valueOf } from '../../../packages/prometheus/test/support/parse.ts';

const TOKEN = 'sharing-token';
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0';

interface Counted {
  readonly meter: AgentMeter;
  readonly exporter: PrometheusExporter;
  readonly url: string;
  collections(): number;
}

let running: PrometheusExporter | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

/** An exporter on its own port whose producer counts the collections it serves. */
async function counted(options: PrometheusExporterOptions = {}): Promise<Counted> {
  const meter = createAgentMeter({ seriesLimit: 200_000, attributes: { requests: ['route'] } });
  let collections = 0;
  const producer: MetricProducer = {
    collect: (collectOptions) => {
      collections++;
      return meter.metricProducer!.collect(collectOptions);
    },
  };
  const exporter = new PrometheusExporter({
    meter,
    metricProducers: [producer],
    port: 0,
    env: {},
    token: TOKEN,
    ...options,
  });
  running = exporter;
  const url = await exporter.start();
  return { meter, exporter, url, collections: () => collections };
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

const auth = { authorization: `Bearer ${TOKEN}` };

describe('the scrape path shares its work (issue 14)', () => {
  it('serves 60 concurrent scrapes of three formats and encodings over sockets, sharing collections', async () => {
    const { meter, url, collections } = await counted({ maxConcurrentScrapes: 100 });
    for (let i = 0; i < 2000; i++) meter.instruments.requests.add(1, { route: `/r/${i}`, status: 'ok' });
    const kinds = [auth, { ...auth, accept: OPENMETRICS }, { ...auth, 'accept-encoding': 'gzip' }];
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => get(`${url}/metrics`, kinds[i % 3])));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    // Over sockets, a scrape that arrives after every other one was answered collects afresh, so
    // how many collections 60 make depends on the machine's timing; far fewer than 60, though.
    expect(collections()).toBeLessThan(20);
    expect(answers[2]!.headers['content-encoding']).toBe('gzip');
    parseExposition(answers[1]!.body, 'openmetrics');
  });

  it('answers 60 requests that arrive while one collection runs from that one collection, one body per format', async () => {
    const { meter, exporter, collections } = await counted({ maxConcurrentScrapes: 100 });
    for (let i = 0; i < 2000; i++) meter.instruments.requests.add(1, { route: `/r/${i}`, status: 'ok' });
    const kinds: Record<string, string>[] = [
      auth,
      { ...auth, accept: OPENMETRICS },
      { ...auth, 'accept-encoding': 'gzip' },
    ];
    // Handed in within one turn of the event loop: the first starts the collection, the others join it.
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        exporter.handle({
          method: 'GET',
          path: '/metrics',
          header: (name) => kinds[i % 3]![name],
        }),
      ),
    );
    expect(answers.map((answer) => answer?.status)).toEqual(answers.map(() => 200));
    expect(collections()).toBe(1);
    for (const [i, kind] of kinds.entries()) {
      const bodies = new Set(
        answers.filter((_, j) => j % 3 === i).map((answer) => Buffer.from(answer!.body).toString('base64')),
      );
      expect(bodies.size, JSON.stringify(kind)).toBe(1);
    }
  });

  it('serves a sequential scraper a fresh collection at once, inside the window: a scrape after a change shows it', async () => {
    const { meter, url, collections } = await counted();
    meter.instruments.requests.add(1, { route: '/fresh', status: 'ok' });
    const first = parseExposition((await get(`${url}/metrics`, auth)).body, 'text');
    meter.instruments.requests.add(1, { route: '/fresh', status: 'ok' });
    // Back to back, inside the window, with no other scrape being answered: a new collection, no waiting.
    const second = parseExposition((await get(`${url}/metrics`, auth)).body, 'text');
    expect(collections()).toBe(2);
    expect(valueOf(first, 'agentmeter_requests_total', { route: '/fresh', status: 'ok' })).toBe(1);
    expect(valueOf(second, 'agentmeter_requests_total', { route: '/fresh', status: 'ok' })).toBe(2);
  });

  it('makes ten back-to-back scrapes ten fresh collections with no waiting for the window', async () => {
    const { url, collections } = await counted();
    const started = performance.now();
    for (let i = 0; i < 10; i++) expect((await get(`${url}/metrics`, auth)).status).toBe(200);
    const elapsed = performance.now() - started;
    // When every scrape inside the window waited for the next collection, ten took about 9 s.
    reportFigure('scrape sharing: ten back-to-back scrapes (window 1000 ms)', Math.round(elapsed), 'ms');
    expect(collections()).toBe(10);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('answers scrapes beyond the cap with 503 and Retry-After, and the others in full', async () => {
    const { meter, url } = await counted({ maxConcurrentScrapes: 2 });
    // Bodies of a few megabytes, so each answer holds its slot while the socket takes it.
    for (let i = 0; i < 20_000; i++) meter.instruments.requests.add(1, { route: `/r/${i}`, status: 'ok' });
    const answers = await Promise.all(Array.from({ length: 12 }, () => get(`${url}/metrics`, auth)));
    const refused = answers.filter((answer) => answer.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.map((answer) => answer.headers['retry-after'])).toEqual(refused.map(() => '1'));
    const served = answers.filter((answer) => answer.status === 200);
    expect(served.length).toBeGreaterThanOrEqual(2);
    expect(served.length + refused.length).toBe(12);
    // The slot is freed once the body is written: the next scrape gets through.
    expect((await get(`${url}/metrics`, auth)).status).toBe(200);
  });

  it('renders 100,000 series in slices, letting other callbacks run between them', async () => {
    const { meter, exporter } = await counted();
    for (let i = 0; i < 100_000; i++) meter.instruments.requests.add(1, { route: `/r/${i}`, status: 'ok' });
    let turns = 0;
    let rendering = true;
    const tick = (): void => {
      turns++;
      if (rendering) setImmediate(tick);
    };
    setImmediate(tick);
    const body = await exporter.render('openmetrics');
    rendering = false;
    expect(body.toString('utf8').endsWith('# EOF\n')).toBe(true);
    // A synchronous render would let the ticker run once at most.
    expect(turns).toBeGreaterThan(5);
  });

  it('answers /api/health from its last round of checks: 100 requests, one round, no collection per request', async () => {
    let checks = 0;
    const { url, collections } = await counted({
      health: {
        checks: {
          db: () => {
            checks++;
            return true;
          },
        },
        intervalMs: 60_000,
      },
    });
    const answers = await Promise.all(Array.from({ length: 100 }, () => get(`${url}/api/health`)));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    for (let i = 0; i < 20; i++) expect((await get(`${url}/api/health`)).status).toBe(200);
    expect(checks).toBe(1);
    // The round's session figures came from one collection, shared by every request.
    expect(collections()).toBe(1);
    expect(JSON.parse(answers[0]!.body.toString()).dependencies.db.status).toBe('healthy');
  });

  it('runs health checks again on their own interval, each round answering later requests', async () => {
    let checks = 0;
    const { url } = await counted({ health: { checks: { db: () => ++checks < 2 }, intervalMs: 50 } });
    expect(JSON.parse((await get(`${url}/api/health`)).body.toString()).status).toBe('healthy');
    // No request asks for it: the second round runs on the interval alone.
    await vi.waitFor(() => expect(checks).toBeGreaterThan(1), { timeout: 10_000, interval: 20 });
    await vi.waitFor(
      async () => expect(JSON.parse((await get(`${url}/api/health`)).body.toString()).status).toBe('unhealthy'),
      { timeout: 10_000, interval: 20 },
    );
  });

  it('gives every server agentmeter owns explicit header, request and keep-alive timeouts', () => {
    const server = createEndpointServer(() => {});
    expect({
      headers: server.headersTimeout,
      request: server.requestTimeout,
      keepAlive: server.keepAliveTimeout,
    }).toEqual({
      headers: SERVER_TIMEOUTS.headersTimeoutMs,
      request: SERVER_TIMEOUTS.requestTimeoutMs,
      keepAlive: SERVER_TIMEOUTS.keepAliveTimeoutMs,
    });
  });
});

const exporterError = (token: unknown): unknown => {
  try {
    const exporter = new PrometheusExporter({ token: token as string, env: {} });
    return exporter.paths.length === 0 ? 'no paths' : undefined;
  } catch (error) {
    return error;
  }
};
const startError = (token: unknown): unknown => {
  try {
    resolveStart({ prometheus: { token: token as string } }, {});
    return undefined;
  } catch (error) {
    return error;
  }
};

describe('one endpoint configuration for start() and PrometheusExporter (issue 14)', () => {
  it.each([
    ['a 5,000-character token', 'x'.repeat(5000)],
    ['a non-ASCII token', 'tökén'],
    ['a token with a space', 'a b'],
    ['an empty token', ''],
    ['a number', 42],
  ])('both refuse %s with an AgentMeterConfigError naming the option', (_name, token) => {
    const fromExporter = exporterError(token);
    const fromStart = startError(token);
    expect(fromExporter).toBeInstanceOf(AgentMeterConfigError);
    expect(fromStart).toBeInstanceOf(AgentMeterConfigError);
    expect(String(fromExporter)).toMatch(/option token or AGENTMETER_METRICS_TOKEN/);
    expect(String(fromStart)).toMatch(/option prometheus\.token or AGENTMETER_METRICS_TOKEN/);
    if (typeof token === 'string' && token !== '')
      expect(`${String(fromExporter)}${String(fromStart)}`).not.toContain(token);
  });

  it('both refuse a bad variable by its name, and default to loopback on 9464 at /metrics', () => {
    expect(() => resolveStart({}, { AGENTMETER_PROMETHEUS_PORT: 'abc' })).toThrow(
      /AGENTMETER_PROMETHEUS_PORT must be a whole number/,
    );
    expect(() => new PrometheusExporter({ env: { AGENTMETER_PROMETHEUS_PORT: 'abc' } })).toThrow(
      /AGENTMETER_PROMETHEUS_PORT must be a whole number/,
    );
    expect(() => new PrometheusExporter({ env: { AGENTMETER_METRICS_TOKEN: 'é' } })).toThrow(AgentMeterConfigError);
    const fromStart = resolveStart({}, {}).prometheus;
    expect(fromStart).toEqual({ host: '127.0.0.1', port: 9464, endpoint: '/metrics', token: undefined });
  });
});
