import { CATALOG, CATALOG_KEYS, type ClusterMerge } from '@agentmeter/core';
import type { Attributes, HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import {
  attributesKey,
  fromWireExemplar,
  withExemplars,
  type WireExemplar,
  type WireHistogramPoint,
  type WireMetric,
  type WireNumberPoint,
  type WireSnapshot,
} from './wire.ts';

/** The label that tells workers apart where their series are kept apart. */
export const WORKER_LABEL = 'worker';

/** Runtime and host metrics describe one process each: they are never summed. */
const PER_WORKER_SCOPES = new Set([
  '@opentelemetry/instrumentation-runtime-node',
  '@opentelemetry/instrumentation-host-metrics',
]);

/** One process's contribution to a merge. */
export interface MergeSource {
  /** The `worker` label value for its per-worker series; undefined leaves them unlabelled. */
  readonly label: string | undefined;
  /** Gauges and per-worker series come only from live sources; totals come from every source. */
  readonly live: boolean;
  readonly snapshot: WireSnapshot;
}

export type MergePolicy = (metric: WireMetric) => ClusterMerge;

/**
 * Counters and histograms are summed; gauges and up-down counters follow the catalog's
 * `clusterMerge`, else up-down counters (in-flight counts) are summed and gauges kept per worker.
 */
export function mergePolicy(namespace: string): MergePolicy {
  const declared = new Map<string, ClusterMerge>();
  for (const key of CATALOG_KEYS) {
    const merge = CATALOG[key].clusterMerge;
    if (merge !== undefined) declared.set(`${namespace}.${CATALOG[key].name}`, merge);
  }
  return (metric) => {
    if (PER_WORKER_SCOPES.has(metric.scope)) return 'per_worker';
    if (metric.kind === 'c' || metric.kind === 'h') return 'sum';
    return declared.get(metric.name) ?? (metric.kind === 'u' ? 'sum' : 'per_worker');
  };
}

const PARSED = new Map<string, Attributes>();
const LABELLED = new Map<string, string>();
const CACHE_LIMIT = 200_000;

/** One attributes object per key, reused across scrapes so the exposition's label cache hits. */
function attributesOf(key: string): Attributes {
  let attributes = PARSED.get(key);
  if (attributes === undefined) {
    attributes = JSON.parse(key) as Attributes;
    if (PARSED.size >= CACHE_LIMIT) PARSED.clear();
    PARSED.set(key, attributes);
  }
  return attributes;
}

/** The attributes of a key, or undefined when it is not a JSON object (a foreign message); cached per key. */
function parsedKey(key: string): Attributes | undefined {
  try {
    const attributes = attributesOf(key);
    return typeof attributes === 'object' && attributes !== null && !Array.isArray(attributes) ? attributes : undefined;
  } catch {
    return undefined;
  }
}

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const orNull = (value: unknown): boolean => value === null || finite(value);

function validNumberPoint(point: unknown): point is WireNumberPoint {
  return Array.isArray(point) && typeof point[0] === 'string' && finite(point[1]);
}

function validHistogramPoint(point: unknown, bounds: readonly number[][]): point is WireHistogramPoint {
  if (
    !Array.isArray(point) ||
    typeof point[0] !== 'string' ||
    !finite(point[1]) ||
    !finite(point[2]) ||
    !orNull(point[3]) ||
    !orNull(point[4])
  )
    return false;
  const boundaries = bounds[point[5] as number];
  const counts = point[6] as unknown;
  return (
    boundaries !== undefined &&
    Array.isArray(counts) &&
    counts.length === boundaries.length + 1 &&
    counts.every(finite) &&
    (point[7] === null || Array.isArray(point[7]))
  );
}

/** The key with `worker="<label>"` added; a series already labelled (a thread of a worker) becomes `<label>/<its label>`. */
function labelledKey(key: string, label: string): string {
  const cacheKey = `${label}\u0000${key}`;
  let labelled = LABELLED.get(cacheKey);
  if (labelled === undefined) {
    // An unparsable key stays as it is and is dropped when the merge is turned into data points.
    const parsed = parsedKey(key);
    if (parsed === undefined) return key;
    const attributes = { ...parsed };
    const prior = attributes[WORKER_LABEL];
    attributes[WORKER_LABEL] = prior === undefined ? label : `${label}/${String(prior)}`;
    labelled = attributesKey(attributes);
    if (LABELLED.size >= CACHE_LIMIT) LABELLED.clear();
    LABELLED.set(cacheKey, labelled);
  }
  return labelled;
}

function newer(a: WireExemplar | null, b: WireExemplar | null): WireExemplar | null {
  if (a === null) return b;
  if (b === null) return a;
  return b[3] >= a[3] ? b : a;
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((bound, i) => bound === b[i]);
}

interface MetricAcc {
  readonly meta: WireMetric;
  start: HrTime;
  readonly bounds: number[][];
  readonly points: Map<string, WireNumberPoint | WireHistogramPoint>;
}

/** Sums snapshots series by series; build once per scrape. */
export class Merger {
  readonly #policy: MergePolicy;
  readonly #metrics = new Map<string, MetricAcc>();
  #time: HrTime = [0, 0];
  /** Histogram points whose boundaries differ from another worker's (not summable), for one warning. */
  mismatched = 0;
  /** Points that were not in the shape this module writes (a foreign message), left out. */
  malformed = 0;

  constructor(policy: MergePolicy) {
    this.#policy = policy;
  }

  add(source: MergeSource): void {
    const { snapshot, live, label } = source;
    if (snapshot.time[0] > this.#time[0] || (snapshot.time[0] === this.#time[0] && snapshot.time[1] > this.#time[1]))
      this.#time = snapshot.time;
    for (const metric of snapshot.metrics) {
      const perWorker = this.#policy(metric) === 'per_worker';
      // A departed or silent worker keeps its totals; its gauges and own series are gone with it.
      if (!live && (perWorker || metric.kind === 'u' || metric.kind === 'g')) continue;
      const id = `${metric.scope}\u0000${metric.name}\u0000${metric.kind}`;
      let acc = this.#metrics.get(id);
      if (acc === undefined) {
        acc = { meta: metric, start: metric.start, bounds: [], points: new Map() };
        this.#metrics.set(id, acc);
      } else if (
        metric.start[0] < acc.start[0] ||
        (metric.start[0] === acc.start[0] && metric.start[1] < acc.start[1])
      ) {
        acc.start = metric.start;
      }
      const relabel = perWorker && label !== undefined;
      if (metric.kind === 'h') this.#addHistograms(acc, metric, relabel ? label : undefined);
      else this.#addNumbers(acc, metric.points as WireNumberPoint[], relabel ? label : undefined);
    }
  }

  #addNumbers(acc: MetricAcc, points: readonly WireNumberPoint[], label: string | undefined): void {
    for (const point of points) {
      if (!validNumberPoint(point)) {
        this.malformed++;
        continue;
      }
      const key = label === undefined ? point[0] : labelledKey(point[0], label);
      const known = acc.points.get(key) as WireNumberPoint | undefined;
      if (known === undefined) acc.points.set(key, [key, point[1], point[2]]);
      else {
        known[1] += point[1];
        known[2] = newer(known[2], point[2]);
      }
    }
  }

  #addHistograms(acc: MetricAcc, metric: WireMetric, label: string | undefined): void {
    for (const point of metric.points as WireHistogramPoint[]) {
      if (!validHistogramPoint(point, metric.bounds)) {
        this.malformed++;
        continue;
      }
      const key = label === undefined ? point[0] : labelledKey(point[0], label);
      const bounds = metric.bounds[point[5]]!;
      const known = acc.points.get(key) as WireHistogramPoint | undefined;
      if (known === undefined) {
        let index = acc.bounds.findIndex((candidate) => sameBounds(candidate, bounds));
        if (index < 0) index = acc.bounds.push(bounds) - 1;
        acc.points.set(key, [
          key,
          point[1],
          point[2],
          point[3],
          point[4],
          index,
          point[6].slice(),
          point[7]?.slice() ?? null,
        ]);
        continue;
      }
      if (!sameBounds(acc.bounds[known[5]]!, bounds)) {
        this.mismatched++;
        continue;
      }
      known[1] += point[1];
      known[2] += point[2];
      if (point[3] !== null) known[3] = known[3] === null ? point[3] : Math.min(known[3], point[3]);
      if (point[4] !== null) known[4] = known[4] === null ? point[4] : Math.max(known[4], point[4]);
      const counts = known[6];
      for (let i = 0; i < counts.length; i++) counts[i]! += point[6][i] ?? 0;
      if (point[7] !== null) {
        const exemplars = known[7] ?? Array.from<WireExemplar | null>({ length: counts.length }).fill(null);
        for (let i = 0; i < exemplars.length; i++) exemplars[i] = newer(exemplars[i] ?? null, point[7][i] ?? null);
        known[7] = exemplars;
      }
    }
  }

  /** The merge as a snapshot, to keep (departed workers) or to pass on (a worker's threads to the primary). */
  snapshot(): WireSnapshot {
    const metrics: WireMetric[] = [];
    for (const acc of this.#metrics.values()) {
      metrics.push({ ...acc.meta, start: acc.start, bounds: acc.bounds, points: [...acc.points.values()] });
    }
    return { time: this.#time, metrics };
  }

  /** The merge as OpenTelemetry data, for the exporter. */
  resourceMetrics(resource: Resource): ResourceMetrics {
    const scopes = new Map<string, ScopeMetrics>();
    for (const acc of this.#metrics.values()) {
      const { meta } = acc;
      const scopeId = `${meta.scope}\u0000${meta.version ?? ''}`;
      let scope = scopes.get(scopeId);
      if (scope === undefined) {
        scope = {
          scope: { name: meta.scope, ...(meta.version === undefined ? {} : { version: meta.version }) },
          metrics: [],
        };
        scopes.set(scopeId, scope);
      }
      scope.metrics.push(this.#metricData(acc));
    }
    return { resource, scopeMetrics: [...scopes.values()] };
  }

  #metricData(acc: MetricAcc): MetricData {
    const { meta, start } = acc;
    const endTime = this.#time;
    const descriptor = { name: meta.name, description: meta.description, unit: meta.unit, valueType: meta.valueType };
    const aggregationTemporality = AggregationTemporality.CUMULATIVE;
    if (meta.kind === 'h') {
      const dataPoints: DataPoint<Histogram>[] = [];
      for (const entry of acc.points.values()) {
        const [key, count, sum, min, max, index, counts, exemplars] = entry as WireHistogramPoint;
        const attributes = parsedKey(key);
        if (attributes === undefined) {
          this.malformed++;
          continue;
        }
        const value = {
          buckets: { boundaries: acc.bounds[index]!, counts },
          count,
          sum,
          ...(min === null ? {} : { min }),
          ...(max === null ? {} : { max }),
        };
        dataPoints.push(
          withExemplars({ startTime: start, endTime, attributes, value }, exemplars?.map(fromWireExemplar)),
        );
      }
      return { descriptor, aggregationTemporality, dataPointType: DataPointType.HISTOGRAM, dataPoints } as MetricData;
    }
    const dataPoints: DataPoint<number>[] = [];
    for (const entry of acc.points.values()) {
      const [key, value, exemplar] = entry as WireNumberPoint;
      const attributes = parsedKey(key);
      if (attributes === undefined) this.malformed++;
      else dataPoints.push(withExemplars({ startTime: start, endTime, attributes, value }, fromWireExemplar(exemplar)));
    }
    if (meta.kind === 'g')
      return { descriptor, aggregationTemporality, dataPointType: DataPointType.GAUGE, dataPoints };
    return {
      descriptor,
      aggregationTemporality,
      dataPointType: DataPointType.SUM,
      dataPoints,
      isMonotonic: meta.kind === 'c',
    };
  }
}
