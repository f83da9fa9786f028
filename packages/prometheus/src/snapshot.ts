import type { DataPoint, ExponentialHistogram, Histogram } from '@opentelemetry/sdk-metrics';
import { classicHistogram, type MetricFamily } from './serialize/families.ts';
import type { LabelCache } from './serialize/labels.ts';

/** One counter or gauge series in the JSON snapshot. */
export interface ValueSeries {
  readonly labels: Record<string, string>;
  readonly value: number | null;
}
/** One histogram series: count, sum and quantiles estimated from the buckets (null when empty). */
export interface HistogramSeries {
  readonly labels: Record<string, string>;
  readonly count: number;
  readonly sum: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}
export interface SnapshotMetric<Series> {
  readonly help: string;
  readonly unit: string;
  readonly series: Series[];
}
/** The `/api/metrics` body. Keys of each map are Prometheus names (counters end in `_total`). */
export interface MetricsSnapshot {
  readonly timestamp: string;
  readonly counters: Record<string, SnapshotMetric<ValueSeries>>;
  readonly gauges: Record<string, SnapshotMetric<ValueSeries>>;
  readonly histograms: Record<string, SnapshotMetric<HistogramSeries>>;
}

/** JSON has no NaN or infinities: they become null. */
function finite(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/**
 * Estimates a quantile the way PromQL's histogram_quantile does: linear interpolation inside the
 * bucket that holds the rank, the first bucket starting at 0 (for positive bounds), the +Inf
 * bucket answering its lower bound. The recorded min and max, when known, bound the estimate.
 */
export function estimateQuantile(histogram: Histogram, q: number): number | null {
  const { boundaries, counts } = histogram.buckets;
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0 || !(q >= 0 && q <= 1)) return null;
  const rank = q * total;
  let cumulative = 0;
  let estimate: number | undefined;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (cumulative + count >= rank && count > 0) {
      const upper = i < boundaries.length ? boundaries[i]! : undefined;
      const lower = i === 0 ? Math.min(0, upper ?? 0) : boundaries[i - 1]!;
      estimate = upper === undefined ? lower : lower + (upper - lower) * ((rank - cumulative) / count);
      break;
    }
    cumulative += count;
  }
  if (estimate === undefined) return null;
  if (histogram.min !== undefined && estimate < histogram.min) estimate = histogram.min;
  if (histogram.max !== undefined && estimate > histogram.max) estimate = histogram.max;
  return finite(estimate);
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1e6) / 1e6;
}

/** Builds the JSON snapshot from the same families the exposition writer uses. */
export function buildSnapshot(families: readonly MetricFamily[], labels: LabelCache, now: Date = new Date()): MetricsSnapshot {
  const snapshot: MetricsSnapshot = { timestamp: now.toISOString(), counters: {}, gauges: {}, histograms: {} };
  for (const family of families) {
    const { name, help, unit } = family;
    if (family.type === 'histogram') {
      const series: HistogramSeries[] = [];
      for (const metric of family.metrics) {
        for (const point of metric.dataPoints as DataPoint<Histogram | ExponentialHistogram>[]) {
          const value = classicHistogram(point);
          if (value === undefined) continue;
          series.push({
            labels: labels.labels(point.attributes), count: value.count, sum: finite(value.sum),
            p50: round(estimateQuantile(value, 0.5)), p95: round(estimateQuantile(value, 0.95)),
            p99: round(estimateQuantile(value, 0.99)),
          });
        }
      }
      snapshot.histograms[name] = { help, unit, series };
    } else {
      const series: ValueSeries[] = [];
      for (const metric of family.metrics) {
        for (const point of metric.dataPoints as DataPoint<number>[]) {
          series.push({ labels: labels.labels(point.attributes), value: finite(point.value) });
        }
      }
      (family.type === 'counter' ? snapshot.counters : snapshot.gauges)[name] = { help, unit, series };
    }
  }
  return snapshot;
}
