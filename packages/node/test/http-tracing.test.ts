import { createServer } from 'node:http';
import { request as httpRequest } from 'node:http';
import { createTestReader } from '@agentmeter/core/testing';
import { SpanKind, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setHttpRoute, start } from '../src/index.ts';
import type { AgentMeterHandle } from '../src/index.ts';
import { close, listen, samples, scrape } from './helpers.ts';
import { keepAlive } from './http-requests.ts';

// The application's own TracerProvider, registered before start(): start() sees it and turns tracing mode on.
const spans = new InMemorySpanExporter();
let handle: AgentMeterHandle;
let port: number;
const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://x').pathname;
  if (path.startsWith('/orders/')) {
    setHttpRoute(request, '/orders/:id');
    response.statusCode = path.endsWith('/fail') ? 502 : 200;
  } else {
    response.statusCode = 404;
  }
  response.end('done');
});

beforeAll(async () => {
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }));
  handle = start({ prometheus: { host: '127.0.0.1', port: 0 }, runtime: false, hostMetrics: false });
  await handle.ready;
  port = await listen(server);
});
afterAll(async () => {
  await close(server);
  await handle.shutdown();
});

/** A request with a method that is not in the semantic conventions' list. */
function purge(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, method: 'PURGE', agent: false }, (response) => {
      response.resume().on('end', () => resolve(response.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

async function traffic(): Promise<void> {
  expect(await keepAlive(port, '/orders/1')).toBe(200);
  expect(await keepAlive(port, '/orders/2', 'POST')).toBe(200);
  expect(await keepAlive(port, '/orders/3/fail')).toBe(502);
  expect(await keepAlive(port, '/nothing')).toBe(404);
  expect(await purge('/orders/4')).toBe(200);
}

const key = (attributes: Attributes): string =>
  JSON.stringify(Object.entries(attributes).toSorted(([a], [b]) => a.localeCompare(b)));

describe('tracing mode: instrumentation-http makes the spans, the diagnostics channels the metrics', () => {
  it('exports server spans, links duration exemplars to them, and counts each request once', async () => {
    spans.reset();
    await traffic();
    const serverSpans = spans
      .getFinishedSpans()
      .filter((span) => span.kind === SpanKind.SERVER && span.attributes['server.port'] === port);
    expect(serverSpans.map((span) => span.name).toSorted()).toEqual([
      'GET',
      'GET /orders/:id',
      'GET /orders/:id',
      'POST /orders/:id',
      'PURGE /orders/:id',
    ]);

    const text = await scrape(handle.prometheusUrl!, { accept: 'application/openmetrics-text; version=1.0.0' });
    const counts = samples(text, 'http_server_request_duration_seconds_count').reduce(
      (sum, [, count]) => sum + count,
      0,
    );
    expect(counts).toBe(5);
    const traceIds = [
      ...text.matchAll(
        /^http_server_request_duration_seconds_bucket\{[^}]*\} \d+ # \{trace_id="(\w+)",span_id="(\w+)"\}/gm,
      ),
    ].map((match) => `${match[1]}/${match[2]}`);
    const spanIds = new Set(serverSpans.map((span) => `${span.spanContext().traceId}/${span.spanContext().spanId}`));
    expect(traceIds.length).toBeGreaterThanOrEqual(4);
    for (const id of traceIds) expect(spanIds.has(id)).toBe(true);
  });

  it("gives the same series names and label sets as instrumentation-http's own metrics for the same requests", async () => {
    // instrumentation-http's metrics normally go to a no-op meter in tracing mode; here they go to a reader.
    const instances = (globalThis as Record<symbol, Map<string, Instrumentation> | undefined>)[
      Symbol.for('@agentmeter/node.instrumentations')
    ];
    const http = instances?.get('http');
    expect(http?.instrumentationName).toBe('@opentelemetry/instrumentation-http');
    const reader = createTestReader();
    http!.setMeterProvider(reader.provider);
    const before = await collectOurs();
    await traffic();
    const theirs = (await reader.collect())
      .points('http.server.request.duration')
      .filter((point) => point.attributes['http.request.method'] !== undefined)
      .map((point) => [key(point.attributes), (point.value as { count: number }).count] as const);
    const ours = await collectOurs();
    const oursChanged = [...ours]
      .filter(([series, count]) => count !== (before.get(series) ?? 0))
      .map(([series, count]) => [series, count - (before.get(series) ?? 0)] as const);
    expect(theirs.length).toBe(5);
    expect(new Map(oursChanged)).toEqual(new Map(theirs));
    await reader.shutdown();
  });
});

/** Our http.server.request.duration series (attributes JSON -> count), from the meter's producer. */
async function collectOurs(): Promise<Map<string, number>> {
  const { resourceMetrics } = await handle.meter.metricProducer!.collect();
  const result = new Map<string, number>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== 'http.server.request.duration') continue;
      for (const point of metric.dataPoints)
        result.set(key(point.attributes), (point.value as { count: number }).count);
    }
  }
  return result;
}
