import { once } from 'node:events';
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { emptyResource } from '@opentelemetry/resources';
import { MeterProvider, type MetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { SharedCollections } from '../../../packages/prometheus/src/collections.ts';

/**
 * The scrape path keeps what waits out of the heap (issue 14, RSS under a scrape flood): data
 * points are reused from round to round, and on agentmeter's own server a refused scraper, or a
 * health client between batches, waits with its connection unread instead of as a request in memory.
 */
const WINDOW_MS = 1000;

let running: PrometheusExporter | undefined;
let mounted: Server | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
  mounted?.closeAllConnections();
  mounted?.close();
  mounted = undefined;
});

interface Gated {
  readonly meter: AgentMeter;
  readonly exporter: PrometheusExporter;
  /** The first counter point of each collection, in order. */
  readonly firstPoints: object[];
  /** Collections wait until open() (when `gated`). */
  open(): void;
}

function gatedExporter(gated: boolean, options: { maxConcurrentScrapes?: number } = {}): Gated {
  const meter = createAgentMeter({ namespace: 'heap', attributes: { requests: ['route'] } });
  meter.instruments.requests.add(1, { route: '/a', status: 'ok' });
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  if (!gated) open();
  const firstPoints: object[] = [];
  const producer: MetricProducer = {
    // The inner collect runs at once (as MetricReader runs producers), then waits for the gate.
    collect: (collectOptions) => {
      const collecting = meter.metricProducer!.collect(collectOptions);
      return collecting.then(async (result) => {
        const metrics: MetricData[] = result.resourceMetrics.scopeMetrics[0]!.metrics;
        firstPoints.push(metrics.find((metric) => metric.descriptor.name === 'heap.requests')!.dataPoints[0]!);
        await gate;
        return result;
      });
    },
  };
  const exporter = new PrometheusExporter({
    meter,
    metricProducers: [producer],
    port: 0,
    env: {},
    shareWindowMs: WINDOW_MS,
    scopeLabels: false,
    ...options,
  });
  running = exporter;
  return { meter, exporter, firstPoints, open: () => open() };
}

interface Timed {
  readonly status: number;
  readonly body: string;
  /** performance.now() when the response ended. */
  readonly at: number;
}

function get(url: string, agent: Agent | false): Promise<Timed> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body, at: performance.now() }));
    })
      .on('error', reject)
      .end();
  });
}

/** One keep-alive connection: requests go out one after another on the same socket. */
const oneConnection = (): Agent => new Agent({ keepAlive: true, maxSockets: 1 });

describe('the scrape path under a flood keeps waiting work out of the heap (issue 14)', () => {
  it('refreshes the same data points from one round to the next, with the values of each round', async () => {
    const { meter, exporter, firstPoints } = gatedExporter(false);
    const url = `${await exporter.start()}/metrics`;
    expect((await get(url, false)).body).toContain('heap_requests_total{status="ok",route="/a"} 1');
    meter.instruments.requests.add(4, { route: '/a', status: 'ok' });
    expect((await get(url, false)).body).toContain('heap_requests_total{status="ok",route="/a"} 5');
    expect(firstPoints).toHaveLength(2);
    expect(firstPoints[1]).toBe(firstPoints[0]);
  });

  it('refreshes them too when the exporter is a MeterProvider reader, as start() registers it', async () => {
    const meter = createAgentMeter({ namespace: 'heap', attributes: { requests: ['route'] } });
    meter.instruments.requests.add(1, { route: '/a', status: 'ok' });
    const firstPoints: object[] = [];
    const producer: MetricProducer = {
      collect: (collectOptions) =>
        meter.metricProducer!.collect(collectOptions).then((result) => {
          const metrics = result.resourceMetrics.scopeMetrics[0]!.metrics;
          firstPoints.push(metrics.find((metric) => metric.descriptor.name === 'heap.requests')!.dataPoints[0]!);
          return result;
        }),
    };
    const exporter = new PrometheusExporter({ metricProducers: [producer], env: {}, scopeLabels: false });
    const provider = new MeterProvider({ readers: [exporter] });
    provider.getMeter('sdk').createCounter('sdk_jobs').add(1);
    expect((await exporter.render('text')).toString()).toContain('sdk_jobs_total');
    await new Promise((resolve) => setTimeout(resolve, 10));
    meter.instruments.requests.add(1, { route: '/a', status: 'ok' });
    expect((await exporter.render('text')).toString()).toContain('heap_requests_total{status="ok",route="/a"} 2');
    expect(firstPoints).toHaveLength(2);
    expect(firstPoints[1]).toBe(firstPoints[0]);
    await provider.shutdown();
  });

  it('gives overlapping rounds their own points, so neither changes under the other', async () => {
    const { meter, exporter, firstPoints, open } = gatedExporter(true);
    const first = exporter.render('text');
    meter.instruments.requests.add(1, { route: '/a', status: 'ok' });
    const second = exporter.render('text');
    await new Promise((resolve) => setImmediate(resolve));
    open();
    const [a, b] = await Promise.all([first, second]);
    expect(firstPoints).toHaveLength(2);
    expect(firstPoints[1]).not.toBe(firstPoints[0]);
    expect(a.toString()).toContain('heap_requests_total{status="ok",route="/a"} 1');
    expect(b.toString()).toContain('heap_requests_total{status="ok",route="/a"} 2');
  });

  it('answers a refused scraper on its own server at once, then leaves its connection unread for the window', async () => {
    const { exporter, open } = gatedExporter(true, { maxConcurrentScrapes: 1 });
    const url = `${await exporter.start()}/metrics`;
    let servedAt = Infinity;
    const served = get(url, false).then((answer) => {
      servedAt = answer.at;
      return answer;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const agent = oneConnection();
    const refused = await get(url, agent);
    expect(refused.status).toBe(503);
    // The 503 did not wait: the collection that holds the only slot has not finished.
    expect(servedAt).toBe(Infinity);
    open();
    expect((await served).status).toBe(200);
    // The next request on that connection is read only once the window has passed.
    const next = await get(url, agent);
    expect(next.status).toBe(200);
    expect(next.at - refused.at).toBeGreaterThanOrEqual(WINDOW_MS * 0.9);
    agent.destroy();
  });

  it('keeps the waiting refusal in a server the application owns: its connections are never paused', async () => {
    const { exporter, open } = gatedExporter(true, { maxConcurrentScrapes: 1 });
    mounted = createServer(exporter.requestHandler).listen(0, '127.0.0.1');
    await once(mounted, 'listening');
    const url = `http://127.0.0.1:${(mounted.address() as AddressInfo).port}/metrics`;
    const served = get(url, false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const asked = performance.now();
    const refused = await get(url, oneConnection());
    expect(refused.status).toBe(503);
    expect(refused.at - asked).toBeGreaterThanOrEqual(WINDOW_MS * 0.9);
    open();
    expect((await served).status).toBe(200);
  });

  it('answers health on its own server at once from the latest batch, each connection at most once per batch', async () => {
    const { exporter } = gatedExporter(false);
    const url = `${await exporter.start()}/api/health`;
    const agent = oneConnection();
    const answers: Timed[] = [];
    for (let i = 0; i < 4; i++) answers.push(await get(url, agent));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    for (let i = 1; i < answers.length; i++)
      expect(answers[i]!.at - answers[i - 1]!.at).toBeGreaterThanOrEqual(100 * 0.9);
    // Other connections are not held back by this one.
    expect((await Promise.all([get(url, false), get(url, false)])).map((answer) => answer.status)).toEqual([200, 200]);
    agent.destroy();
  });
});

describe('a round of shared collections', () => {
  it('releases its collection once, after every body asked for in its turn is rendered, and renders nothing after', async () => {
    let releases = 0;
    let renders = 0;
    const shared = new SharedCollections(
      () =>
        Promise.resolve({
          resourceMetrics: { resource: emptyResource(), scopeMetrics: [] },
          families: [],
          release: () => releases++,
        }),
      async (_collected, kind) => {
        renders++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return Buffer.from(kind);
      },
      WINDOW_MS,
    );
    const round = await shared.fresh();
    const bodies = [round.body('text', false), round.body('openmetrics', true), round.body('text', false)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(releases).toBe(0);
    expect((await Promise.all(bodies)).map((body) => body.bytes.toString())).toEqual(['text', 'openmetrics', 'text']);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect([releases, renders]).toEqual([1, 2]);
    await expect(round.body('json', false)).rejects.toThrow('released round');
    // A body already rendered is still served.
    expect((await round.body('text', false)).bytes.toString()).toBe('text');
    expect(releases).toBe(1);
  });
});
