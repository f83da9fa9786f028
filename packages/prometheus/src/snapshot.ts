import type { DataPoint, ExponentialHistogram, Histogram } from '@opentelemetry/sdk-metrics';
import { classicHistogram, type MetricFamily } from './serialize/families.ts';
import type { LabelCache } from './serialize/labels.ts';
import { TimeSlicer } from './serialize/slicer.ts';

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

/** Quantiles from the classic buckets; an SDK exponential histogram without them has none here. */
function histogramSeries(point: DataPoint<Histogram | ExponentialHistogram>, labels: LabelCache): HistogramSeries {
  const classic = classicHistogram(point);
  const quantile = (q: number): number | null => (classic === undefined ? null : round(estimateQuantile(classic, q)));
  return {
    labels: labels.labels(point.attributes),
    count: point.value.count,
    sum: finite(point.value.sum),
    p50: quantile(0.5),
    p95: quantile(0.95),
    p99: quantile(0.99),
  };
}

function seriesOf(
  point: DataPoint<number> | DataPoint<Histogram>,
  histogram: boolean,
  labels: LabelCache,
): HistogramSeries | ValueSeries {
  return histogram
    ? histogramSeries(point as DataPoint<Histogram | ExponentialHistogram>, labels)
    : { labels: labels.labels(point.attributes), value: finite((point as DataPoint<number>).value) };
}

function section(
  snapshot: MetricsSnapshot,
  family: MetricFamily,
): Record<string, SnapshotMetric<HistogramSeries | ValueSeries>> {
  if (family.type === 'histogram') return snapshot.histograms;
  return family.type === 'counter' ? snapshot.counters : snapshot.gauges;
}

/** Builds the JSON snapshot from the same families the exposition writer uses. */
export function buildSnapshot(
  families: readonly MetricFamily[],
  labels: LabelCache,
  now: Date = new Date(),
): MetricsSnapshot {
  const snapshot: MetricsSnapshot = { timestamp: now.toISOString(), counters: {}, gauges: {}, histograms: {} };
  for (const family of families) {
    const histogram = family.type === 'histogram';
    const series = family.metrics.flatMap((metric) =>
      metric.dataPoints.map((point) => seriesOf(point as DataPoint<number>, histogram, labels)),
    );
    section(snapshot, family)[family.name] = { help: family.help, unit: family.unit, series };
  }
  return snapshot;
}

/**
 * The same snapshot as JSON bytes, written series by series and yielding to the event loop every
 * few milliseconds, so a snapshot of 100,000 series never holds the loop for one long turn.
 */
export async function snapshotJson(
  families: readonly MetricFamily[],
  labels: LabelCache,
  now: Date = new Date(),
): Promise<Buffer> {
  const slicer = new TimeSlicer();
  const parts: Record<'counters' | 'gauges' | 'histograms', string[]> = { counters: [], gauges: [], histograms: [] };
  for (const family of families) {
    const histogram = family.type === 'histogram';
    const series: string[] = [];
    for (const metric of family.metrics) {
      for (const point of metric.dataPoints) {
        series.push(JSON.stringify(seriesOf(point as DataPoint<number>, histogram, labels)));
        if (series.length % 32 === 0 && slicer.due()) await slicer.pause();
      }
    }
    const head = JSON.stringify({ help: family.help, unit: family.unit }).slice(0, -1);
    const key = histogram ? 'histograms' : family.type === 'counter' ? 'counters' : 'gauges';
    parts[key].push(`${JSON.stringify(family.name)}:${head},"series":[${series.join(',')}]}`);
  }
  const text = `{"timestamp":${JSON.stringify(now.toISOString())},"counters":{${parts.counters.join(',')}},"gauges":{${parts.gauges.join(',')}},"histograms":{${parts.histograms.join(',')}}}`;
  return Buffer.from(text, 'utf8');
}
