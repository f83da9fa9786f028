import type { HrTime } from '@opentelemetry/api';
import { CounterCell } from './cells.ts';
import type { Cell, GaugeCell, HistogramCell, UpDownCounterCell } from './cells.ts';
import { EXEMPLARS } from './exemplars.ts';

/** A data point the pool may refresh in place: the fields agentmeter's producer writes. */
interface PooledPoint {
  readonly attributes: object;
  endTime: HrTime;
  value: number | PooledHistogramValue;
  [EXEMPLARS]?: unknown;
}
interface PooledHistogramValue {
  readonly buckets: { readonly boundaries: readonly number[]; readonly counts: number[] };
  sum: number;
  count: number;
  min: number | undefined;
  max: number | undefined;
}

/**
 * Data points kept between collections of one reader that hands them back, so that a burst of
 * collections (a scrape flood answered one round per second) refreshes the same objects in place
 * instead of allocating every series' point again. Points allocated per round live for the
 * round's rendering, long enough to survive a young-generation GC or two, and V8 grows its young
 * generation for every such survivor; refreshed points already live in the old generation and
 * cost the young generation nothing.
 *
 * Only a collection run inside `lendPool()` uses the pool, only while the pool is not lent to another
 * one, and the lender must call `giveBack()` once it no longer reads the points (they change at
 * the next lent collection). Other readers (an OTLP push) always get fresh points.
 */
export class PointPool {
  readonly #points = new Map<object, (object | undefined)[]>();
  #lent = false;

  /** Marks the pool lent; false when it already is (its points are still being read). */
  take(): boolean {
    if (this.#lent) return false;
    this.#lent = true;
    return true;
  }

  /** The lent collection's points are no longer read. */
  giveBack(): void {
    this.#lent = false;
  }

  /** Forgets every point (memory at rest); the next lent collection allocates again. */
  clear(): void {
    if (!this.#lent) this.#points.clear();
  }

  /** The pooled points of one instrument, aligned with its cells' order. */
  slots(instrument: object): (object | undefined)[] {
    let slots = this.#points.get(instrument);
    if (slots === undefined) {
      slots = [];
      this.#points.set(instrument, slots);
    }
    return slots;
  }
}

/** The pool lent to the collection running right now (collections are synchronous in the producer). */
let lending: PointPool | undefined;

/**
 * Runs `collect` (a synchronous call into the producer, such as MetricReader.collect(), whose
 * producers run before its first await) with the pool lent to it, when the pool is free. `pooled`
 * says whether it was: then the caller gives it back once it no longer reads the points.
 */
export function lendPool<T>(pool: PointPool, collect: () => T): { readonly result: T; readonly pooled: boolean } {
  if (lending !== undefined || !pool.take()) return { result: collect(), pooled: false };
  lending = pool;
  try {
    return { result: collect(), pooled: true };
  } catch (error) {
    pool.giveBack();
    throw error;
  } finally {
    lending = undefined;
  }
}

export function lentPool(): PointPool | undefined {
  return lending;
}

/**
 * Refreshes `point` (made by the producer for `cell` in an earlier collection) in place, when it
 * still belongs to the same series and has the same shape; false when a new point is needed.
 */
export function refreshPoint(point: object, cell: Cell, endTime: HrTime): boolean {
  const pooled = point as PooledPoint;
  if (pooled.attributes !== cell.attributes) return false;
  const value = pooled.value;
  if (typeof value === 'number') {
    pooled.value = (cell as CounterCell | UpDownCounterCell | GaugeCell).value;
    if (cell instanceof CounterCell) pooled[EXEMPLARS] = cell.exemplar;
  } else {
    const histogram = cell as HistogramCell;
    const counts = value.buckets.counts;
    if (histogram.exponential !== undefined || counts.length !== histogram.counts.length) return false;
    for (let i = 0; i < counts.length; i++) counts[i] = histogram.counts[i]!;
    value.sum = histogram.sum;
    value.count = histogram.count;
    value.min = histogram.count > 0 ? histogram.min : undefined;
    value.max = histogram.count > 0 ? histogram.max : undefined;
    pooled[EXEMPLARS] = histogram.exemplars?.slice();
  }
  pooled.endTime = endTime;
  return true;
}
