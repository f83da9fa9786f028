import { EXEMPLARS, getExemplars, type Exemplar } from '@agentmeter/core/internal';
import type { Attributes, HrTime } from '@opentelemetry/api';
import { DataPointType, type DataPoint, type Histogram, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** `c` counter (monotonic sum), `u` up-down counter, `g` gauge, `h` explicit-bucket histogram. */
export type WireKind = 'c' | 'u' | 'g' | 'h';

/** An exemplar as `[value, traceId, spanId, timeMs]`. */
export type WireExemplar = [number, string, string, number];

/** `[attributesKey, value, exemplar]`. */
export type WireNumberPoint = [string, number, WireExemplar | null];

/** `[attributesKey, count, sum, min, max, boundariesIndex, counts, exemplars]`. */
export type WireHistogramPoint = [
  string,
  number,
  number,
  number | null,
  number | null,
  number,
  number[],
  (WireExemplar | null)[] | null,
];

/**
 * One metric as plain arrays: a point's attributes travel as one canonical JSON text, which is
 * also its merge key, so the receiver hashes strings instead of comparing objects.
 */
export interface WireMetric {
  readonly scope: string;
  readonly version: string | undefined;
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly valueType: number;
  readonly kind: WireKind;
  /** The earliest start time of the points, `[seconds, nanoseconds]`. */
  readonly start: HrTime;
  readonly bounds: number[][];
  readonly points: (WireNumberPoint | WireHistogramPoint)[];
}

/** One process's collection as it crosses the IPC channel or a thread boundary. */
export interface WireSnapshot {
  readonly time: HrTime;
  readonly metrics: WireMetric[];
}

const KINDS = new Set(['c', 'u', 'g', 'h']);

function isTime(value: unknown): value is HrTime {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number';
}

/**
 * Whether a message's snapshot has the shape this module writes. Points are checked one by one
 * as they are merged; this keeps a foreign message from reaching the merge at all.
 */
export function isWireSnapshot(value: unknown): value is WireSnapshot {
  const snapshot = value as Partial<WireSnapshot> | null;
  if (typeof snapshot !== 'object' || snapshot === null || !isTime(snapshot.time) || !Array.isArray(snapshot.metrics))
    return false;
  return snapshot.metrics.every(
    (metric: Partial<WireMetric> | null) =>
      typeof metric === 'object' &&
      metric !== null &&
      typeof metric.scope === 'string' &&
      typeof metric.name === 'string' &&
      typeof metric.description === 'string' &&
      typeof metric.unit === 'string' &&
      KINDS.has(metric.kind as string) &&
      isTime(metric.start) &&
      Array.isArray(metric.bounds) &&
      metric.bounds.every((bounds) => Array.isArray(bounds) && bounds.every((bound) => typeof bound === 'number')) &&
      Array.isArray(metric.points),
  );
}

const KEYS = new WeakMap<Attributes, string>();

/** The canonical JSON of attributes (keys sorted), cached per attributes object: SDK and core keep one per series. */
export function attributesKey(attributes: Attributes): string {
  let key = KEYS.get(attributes);
  if (key === undefined) {
    const names = Object.keys(attributes);
    let sorted = true;
    for (let i = 1; i < names.length && sorted; i++) sorted = names[i - 1]! < names[i]!;
    if (sorted) key = JSON.stringify(attributes);
    else {
      const ordered: Attributes = {};
      for (const name of names.toSorted()) ordered[name] = attributes[name];
      key = JSON.stringify(ordered);
    }
    KEYS.set(attributes, key);
  }
  return key;
}

function wireExemplar(exemplar: Exemplar | undefined): WireExemplar | null {
  if (exemplar === undefined || typeof exemplar.traceId !== 'string') return null;
  return [exemplar.value, exemplar.traceId, exemplar.spanId, exemplar.timeMs];
}

/** Back to core's exemplar shape, which the exposition writer reads. */
export function fromWireExemplar(exemplar: WireExemplar | null | undefined): Exemplar | undefined {
  if (exemplar === null || exemplar === undefined) return undefined;
  return { value: exemplar[0], traceId: exemplar[1], spanId: exemplar[2], timeMs: exemplar[3] };
}

function earlier(a: HrTime, b: HrTime): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

function boundsIndex(bounds: number[][], boundaries: readonly number[]): number {
  for (let i = 0; i < bounds.length; i++) {
    const known = bounds[i]!;
    if (known.length === boundaries.length && known.every((bound, j) => bound === boundaries[j])) return i;
  }
  bounds.push(boundaries.slice());
  return bounds.length - 1;
}

function kindOf(dataPointType: DataPointType, isMonotonic: boolean | undefined): WireKind | undefined {
  switch (dataPointType) {
    case DataPointType.SUM:
      return isMonotonic === true ? 'c' : 'u';
    case DataPointType.GAUGE:
      return 'g';
    case DataPointType.HISTOGRAM:
      return 'h';
    // Exponential histograms have no Prometheus text form, so they never reach a merged /metrics.
    default:
      return undefined;
  }
}

/** Encodes a collection (cumulative) into a WireSnapshot. */
export function encodeSnapshot(resourceMetrics: ResourceMetrics, time: HrTime): WireSnapshot {
  const metrics: WireMetric[] = [];
  for (const { scope, metrics: scoped } of resourceMetrics.scopeMetrics) {
    for (const metric of scoped) {
      const kind = kindOf(metric.dataPointType, (metric as { isMonotonic?: boolean }).isMonotonic);
      if (kind === undefined || metric.dataPoints.length === 0) continue;
      let start = metric.dataPoints[0]!.startTime;
      const bounds: number[][] = [];
      const points: (WireNumberPoint | WireHistogramPoint)[] = [];
      for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) {
        if (earlier(point.startTime, start)) start = point.startTime;
        const key = attributesKey(point.attributes);
        if (kind !== 'h') {
          points.push([key, point.value as number, wireExemplar(getExemplars(point) as Exemplar | undefined)]);
          continue;
        }
        const value = point.value as Histogram;
        const found = getExemplars(point);
        const exemplars = Array.isArray(found) ? (found as readonly (Exemplar | undefined)[]).map(wireExemplar) : null;
        points.push([
          key,
          value.count,
          value.sum ?? 0,
          value.min ?? null,
          value.max ?? null,
          boundsIndex(bounds, value.buckets.boundaries),
          value.buckets.counts.slice(),
          exemplars,
        ]);
      }
      const { name, description, unit, valueType } = metric.descriptor;
      metrics.push({
        scope: scope.name,
        version: scope.version,
        name,
        description,
        unit,
        valueType,
        kind,
        start,
        bounds,
        points,
      });
    }
  }
  return { time, metrics };
}

/** Attaches exemplars the way core's producer does, so the exposition writer finds them. */
export function withExemplars<T extends object>(
  point: T,
  exemplars: Exemplar | readonly (Exemplar | undefined)[] | undefined,
): T {
  if (exemplars !== undefined) (point as Record<symbol, unknown>)[EXEMPLARS] = exemplars;
  return point;
}
