/**
 * Test helpers: a meter with an in-memory reader, and readers of recorded series.
 *
 * @packageDocumentation
 * @module @agentmeter/core/testing
 */
import { diag, DiagLogLevel, type Attributes } from '@opentelemetry/api';
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { createAgentMeter } from './meter.ts';
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
  /** The sum of every sum or gauge series whose attributes include `attributes`; undefined when none does. */
  total(name: string, attributes?: Attributes): number | undefined;
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
        (metrics.find((metric) => metric.descriptor.name === name)?.dataPoints ?? []) as DataPoint<
          number | Histogram
        >[];
      return {
        metrics,
        points,
        value(name, attributes = {}) {
          const metric = metrics.find((m) => m.descriptor.name === name);
          if (metric === undefined || metric.dataPointType === DataPointType.HISTOGRAM) return undefined;
          const point = (metric.dataPoints as DataPoint<number>[]).find((p) =>
            sameAttributes(p.attributes, attributes),
          );
          return point?.value;
        },
        total(name, attributes = {}) {
          const metric = metrics.find((m) => m.descriptor.name === name);
          if (metric === undefined || metric.dataPointType === DataPointType.HISTOGRAM) return undefined;
          const matching = (metric.dataPoints as DataPoint<number>[]).filter((p) =>
            Object.entries(attributes).every(([key, value]) => p.attributes[key] === value),
          );
          return matching.length === 0 ? undefined : matching.reduce((sum, p) => sum + p.value, 0);
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

/**
 * Every series of a snapshot as one sorted line, `name{attributes} value` (a histogram's count,
 * since its sum holds timings): what a scrape sees, for comparing two runs.
 */
export function seriesLines(snapshot: MetricsSnapshot): string[] {
  return snapshot.metrics
    .flatMap((metric) =>
      (metric.dataPoints as DataPoint<number | Histogram>[]).map((point) => {
        const value = typeof point.value === 'number' ? point.value : point.value.count;
        return `${metric.descriptor.name}${JSON.stringify(point.attributes)} ${value}`;
      }),
    )
    .toSorted();
}

/** What one run of `wrapTwiceRuns` saw: the scrape, and the warnings the wrapping logged. */
export interface WrapRun {
  readonly lines: string[];
  readonly warnings: string[];
}

/**
 * Runs the same call three times on fresh meters and clients: wrapped once, wrapped twice with the
 * same options, and wrapped again with each of `others` (given the run's meter). Wrapping twice
 * must change nothing a scrape sees, so the three `lines` must be equal; `warnings` are those
 * `diag` logged while wrapping.
 */
export async function wrapTwiceRuns(
  open: () => object | Promise<object>,
  wrap: (client: object, options: Record<string, unknown>) => unknown,
  call: (client: object) => Promise<unknown>,
  others: (meter: AgentMeter) => Record<string, unknown>[],
  close: (client: object) => unknown = () => undefined,
): Promise<WrapRun[]> {
  const runs: WrapRun[] = [];
  for (const again of ['once', 'same', 'different'] as const) {
    const meter = createAgentMeter();
    const reader = createTestReader(meter);
    const client = await open();
    const options = { meter };
    wrap(client, options);
    const warnings: string[] = [];
    diag.setLogger(
      { error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    try {
      if (again === 'same') wrap(client, options);
      if (again === 'different') for (const other of others(meter)) wrap(client, other);
    } finally {
      diag.disable();
    }
    await call(client);
    runs.push({ lines: seriesLines(await reader.collect()), warnings });
    await close(client);
    await reader.shutdown();
  }
  return runs;
}
