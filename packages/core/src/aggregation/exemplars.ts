import { context, trace, TraceFlags } from '@opentelemetry/api';

/** A sampled measurement linked to the trace that was active when it was recorded. */
export interface Exemplar {
  readonly value: number;
  readonly traceId: string;
  readonly spanId: string;
  /** Wall-clock time in milliseconds since the epoch. */
  readonly timeMs: number;
}

/**
 * Data points from agentmeter's producer carry their exemplars under this symbol: a single
 * Exemplar for sums, and an array aligned with the bucket counts for histograms.
 */
export const EXEMPLARS: unique symbol = Symbol.for('agentmeter.exemplars');

/** Reads the exemplars a data point carries, if any. */
export function getExemplars(dataPoint: object): Exemplar | readonly (Exemplar | undefined)[] | undefined {
  return (dataPoint as { [EXEMPLARS]?: Exemplar | (Exemplar | undefined)[] })[EXEMPLARS];
}

/** The exemplar for a value recorded now, when a sampled span is active; otherwise undefined. */
export function exemplarFor(value: number): Exemplar | undefined {
  const span = trace.getSpan(context.active());
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  if ((spanContext.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return { value, traceId: spanContext.traceId, spanId: spanContext.spanId, timeMs: Date.now() };
}

/**
 * An exponential-histogram data point from agentmeter's producer carries the explicit buckets
 * recorded beside it under this symbol, so /metrics can serve classic buckets next to the native ones.
 */
export const CLASSIC_BUCKETS: unique symbol = Symbol.for('agentmeter.classicBuckets');

/** The explicit buckets an exponential-histogram data point carries, if any. */
export function getClassicBuckets(
  dataPoint: object,
): { readonly boundaries: readonly number[]; readonly counts: readonly number[] } | undefined {
  return (dataPoint as { [CLASSIC_BUCKETS]?: { boundaries: number[]; counts: number[] } })[CLASSIC_BUCKETS];
}
