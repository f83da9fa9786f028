/**
 * Test helpers: a meter with an in-memory reader, and readers of recorded series.
 *
 * @packageDocumentation
 * @module @agentmeter/core/testing
 */
import type { Attributes } from '@opentelemetry/api';
import {
  DataPointType, MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData,
} from '@opentelemetry/sdk-metrics';
import type { AgentMeter } from './types.ts';

/** A reader that collects on demand, for tests. */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface HistogramSnapshot {
  readonly count: number;
  readonly sum: number;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly buckets: { readonly boundaries: readonly number[]; readonly counts: readonly number[] };
}

export interface MetricsSnapshot {
  readonly metrics: readonly MetricData[];
  /** The data points of one metric (full OTel name), every series. */
  points(name: string): readonly DataPoint<number | Histogram>[];
  /** The value of the sum or gauge series whose attributes equal `attributes` exactly; undefined when absent. */
  value(name: string, attributes?: Attributes): number | undefined;
  /** The histogram series whose attributes equal `attributes` exactly. */
  histogram(name: string, attributes?: Attributes): HistogramSnapshot | undefined;
}

export interface TestReader {
  readonly provider: MeterProvider;
  collect(): Promise<MetricsSnapshot>;
  shutdown(): Promise<void>;
}

function sameAttributes(a: Attributes, b: Attributes): boolean {
  const aKeys = Object.keys(a);
  return aKeys.length === Object.keys(b).length && aKeys.every((key) => a[key] === b[key]);
}

/**
 * Wires a meter to a real sdk-metrics MeterProvider and an on-demand reader, for exact assertions
 * in tests: `const reader = createTestReader(meter); ...; (await reader.collect()).value(name, attrs)`.
 */
export function createTestReader(meter?: AgentMeter): TestReader {
  const producer = meter?.metricProducer;
  const reader = new OnDemandReader(producer === undefined ? {} : { metricProducers: [producer] });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    async collect() {
      const { resourceMetrics } = await reader.collect();
      const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
      const points = (name: string): readonly DataPoint<number | Histogram>[] =>
        (metrics.find((metric) => metric.descriptor.name === name)?.dataPoints ?? []) as DataPoint<number | Histogram>[];
      return {
        metrics,
        points,
        value(name, attributes = {}) {
          const metric = metrics.find((m) => m.descriptor.name === name);
          if (metric === undefined || metric.dataPointType === DataPointType.HISTOGRAM) return undefined;
          const point = (metric.dataPoints as DataPoint<number>[]).find((p) => sameAttributes(p.attributes, attributes));
          return point?.value;
        },
        histogram(name, attributes = {}) {
          const metric = metrics.find((m) => m.descriptor.name === name);
          if (metric === undefined || metric.dataPointType !== DataPointType.HISTOGRAM) return undefined;
          const point = metric.dataPoints.find((p) => sameAttributes(p.attributes, attributes));
          if (point === undefined) return undefined;
          const { count, sum = 0, min, max, buckets } = point.value;
          return { count, sum, min, max, buckets };
        },
      };
    },
    shutdown: () => provider.shutdown(),
  };
}

/** Errors counted in a snapshot by `error_type` (summed over components, providers and models). */
export function errorTypeCounts(snapshot: MetricsSnapshot): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const point of snapshot.points('agentmeter.errors')) {
    const type = String(point.attributes['error_type']);
    counted[type] = (counted[type] ?? 0) + (point.value as number);
  }
  return counted;
}
