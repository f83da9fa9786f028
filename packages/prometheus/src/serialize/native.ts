import type { ExponentialHistogram } from '@opentelemetry/sdk-metrics';

/** Prometheus' native-histogram schemas run from -4 to 8; OpenTelemetry's scales from -10 to 20. */
const MAX_SCHEMA = 8;
const MIN_SCHEMA = -4;

/** The native-histogram fields of one exponential data point, ready for the protobuf writer. */
export interface NativeBuckets {
  readonly schema: number;
  readonly zeroCount: number;
  /** One span over the whole window: the absolute index of its first bucket and its length. */
  readonly offset: number;
  /** Bucket counts as deltas from the previous bucket (the first from zero). */
  readonly deltas: readonly number[];
}

/**
 * Converts OpenTelemetry exponential buckets to a Prometheus native histogram, as Prometheus'
 * own OTLP receiver does: scales above 8 are merged down to schema 8, and indexes shift by one
 * (OpenTelemetry's bucket i is (base^i, base^(i+1)], Prometheus' is (base^(i-1), base^i]).
 * Scales below -4 have no native form: undefined (the classic buckets still serve).
 */
export function nativeBuckets(value: ExponentialHistogram): NativeBuckets | undefined {
  if (value.scale < MIN_SCHEMA) return undefined;
  const shift = Math.max(0, value.scale - MAX_SCHEMA);
  const factor = 2 ** shift;
  const { offset, bucketCounts } = value.positive;
  const first = Math.floor(offset / factor);
  const merged: number[] = [];
  for (let i = 0; i < bucketCounts.length; i++) {
    const at = Math.floor((offset + i) / factor) - first;
    merged[at] = (merged[at] ?? 0) + (bucketCounts[i] ?? 0);
  }
  const deltas: number[] = [];
  let previous = 0;
  for (const count of merged) {
    const current = count ?? 0;
    deltas.push(current - previous);
    previous = current;
  }
  return { schema: value.scale - shift, zeroCount: value.zeroCount, offset: first + 1, deltas };
}
