import type { DataPoint, Histogram, MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createAgentMeter, type AgentMeter } from '../src/index.ts';
import { getExemplars, lendPool, PointPool } from '../src/internal.ts';

type Point = DataPoint<number | Histogram>;

function setup(): AgentMeter {
  return createAgentMeter({
    namespace: 'pool',
    attributes: { requests: ['route'] },
    exponentialHistograms: ['llm.latency'],
  });
}

async function collect(meter: AgentMeter): Promise<MetricData[]> {
  return (await meter.metricProducer!.collect()).resourceMetrics.scopeMetrics[0]!.metrics;
}

/** A lent collection's metrics and whether the pool was lent to it. */
async function lent(meter: AgentMeter, pool: PointPool): Promise<{ metrics: MetricData[]; pooled: boolean }> {
  const { result, pooled } = lendPool(pool, () => collect(meter));
  return { metrics: await result, pooled };
}

function points(metrics: MetricData[], name: string): Point[] {
  return metrics.find((metric) => metric.descriptor.name === name)!.dataPoints as Point[];
}

/** Every series' attributes and value, as plain data. */
function values(metrics: MetricData[]): unknown[] {
  return metrics.flatMap((metric) =>
    (metric.dataPoints as Point[]).map((point) => [
      metric.descriptor.name,
      point.attributes,
      structuredClone(point.value),
    ]),
  );
}

describe('the point pool', () => {
  it('refreshes the same data points in place, collection after collection, with the values of the moment', async () => {
    const meter = setup();
    const pool = new PointPool();
    meter.instruments.requests.add(1, { route: '/a', status: 'ok' });
    meter.instruments.responseTime.record(0.2, { route: '/a' });
    const first = await lent(meter, pool);
    expect(first.pooled).toBe(true);
    const [counter] = points(first.metrics, 'pool.requests');
    const [histogram] = points(first.metrics, 'pool.response_time');
    pool.giveBack();

    meter.instruments.requests.add(2, { route: '/a', status: 'ok' });
    meter.instruments.responseTime.record(4, { route: '/a' });
    meter.instruments.responseTime.record(0.01, { route: '/a' });
    const second = await lent(meter, pool);
    expect(second.pooled).toBe(true);
    expect(points(second.metrics, 'pool.requests')[0]).toBe(counter);
    expect(points(second.metrics, 'pool.response_time')[0]).toBe(histogram);
    // The refreshed points hold exactly what a fresh collection reports.
    expect(values(second.metrics)).toEqual(values(await collect(meter)));
    const value = histogram!.value as Histogram;
    expect([value.count, value.sum, value.min, value.max]).toEqual([3, 4.21, 0.01, 4]);
    expect(value.buckets.counts.reduce((sum, count) => sum + count, 0)).toBe(3);
  });

  it('never lends points that are still being read: a second collection gets new ones and the first keeps its values', async () => {
    const meter = setup();
    const pool = new PointPool();
    meter.instruments.requests.add(1, { route: '/a', status: 'ok' });
    const first = await lent(meter, pool);
    const before = values(first.metrics);
    meter.instruments.requests.add(5, { route: '/a', status: 'ok' });
    const second = await lent(meter, pool);
    expect(second.pooled).toBe(false);
    expect(points(second.metrics, 'pool.requests')[0]).not.toBe(points(first.metrics, 'pool.requests')[0]);
    expect(points(second.metrics, 'pool.requests')[0]!.value).toBe(6);
    expect(values(first.metrics)).toEqual(before);
  });

  it('hands collections outside lendPool (an OTLP push) their own points, and a nested lend none of the pool', async () => {
    const meter = setup();
    const pool = new PointPool();
    meter.instruments.requests.add(1, { route: '/a', status: 'ok' });
    const first = await lent(meter, pool);
    pool.giveBack();
    const other = await collect(meter);
    expect(points(other, 'pool.requests')[0]).not.toBe(points(first.metrics, 'pool.requests')[0]);
    const inner: boolean[] = [];
    const outer = lendPool(pool, () => inner.push(lendPool(new PointPool(), () => 1).pooled));
    expect([outer.pooled, inner]).toEqual([true, [false]]);
  });

  it('reports every series right when series are added between collections, and after clear()', async () => {
    const meter = setup();
    const pool = new PointPool();
    meter.instruments.requests.add(1, { route: '/b', status: 'ok' });
    await lent(meter, pool);
    pool.giveBack();
    for (const route of ['/a', '/c', '/b']) meter.instruments.requests.add(2, { route, status: 'error' });
    meter.instruments.llmLatency.record(1.5, { provider: 'openai', model: 'm' });
    const second = await lent(meter, pool);
    expect(values(second.metrics)).toEqual(values(await collect(meter)));
    pool.giveBack();
    const kept = points(second.metrics, 'pool.requests')[0];
    pool.clear();
    const third = await lent(meter, pool);
    expect(points(third.metrics, 'pool.requests')[0]).not.toBe(kept);
    expect(values(third.metrics)).toEqual(values(await collect(meter)));
  });

  it('refreshes exemplars with the rest of the point', async () => {
    const meter = setup();
    const pool = new PointPool();
    const bound = meter.instruments.requests.bind({ status: 'ok' });
    bound.add(1);
    const first = await lent(meter, pool);
    pool.giveBack();
    expect(getExemplars(points(first.metrics, 'pool.requests')[0]!)).toBeUndefined();
    // What a record inside a sampled span leaves on the series (see exemplarFor).
    const exemplar = { value: 1, traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), timeMs: 1 };
    (bound as unknown as { exemplar: unknown }).exemplar = exemplar;
    const second = await lent(meter, pool);
    expect(points(second.metrics, 'pool.requests')[0]).toBe(points(first.metrics, 'pool.requests')[0]);
    expect(getExemplars(points(second.metrics, 'pool.requests')[0]!)).toBe(exemplar);
  });

  it('gives the pool back when the collection throws', () => {
    const pool = new PointPool();
    expect(() =>
      lendPool(pool, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(lendPool(pool, () => 1).pooled).toBe(true);
  });
});
