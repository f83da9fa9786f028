import type { ResolvedDbOptions } from './options.ts';

/** A pool's connection counts at one moment. */
export interface PoolSizes {
  readonly active: number;
  readonly idle: number;
  readonly max: number;
  readonly pending: number;
}

/**
 * Reads a pool's sizes into the connection gauges before every collection. The pool is held
 * weakly, so a pool the application drops is not kept alive by its metrics.
 */
export function observePool<P extends object>(options: ResolvedDbOptions, pool: P, read: (pool: P) => PoolSizes): void {
  const { meter, dbSystem } = options;
  const labels = { db_system: dbSystem, pool: options.pool };
  const i = meter.instruments;
  const active = i.dbConnectionsActive.bind(labels);
  const idle = i.dbConnectionsIdle.bind(labels);
  const max = i.dbConnectionsMax.bind(labels);
  const pending = i.dbConnectionsPending.bind(labels);
  const ref = new WeakRef(pool);
  const unsubscribe = meter.onCollect(() => {
    const target = ref.deref();
    if (target === undefined) {
      unsubscribe();
      return;
    }
    const sizes = read(target);
    setFinite(active, sizes.active);
    setFinite(idle, sizes.idle);
    setFinite(max, sizes.max);
    setFinite(pending, sizes.pending);
  });
}

function setFinite(gauge: { set(value: number): void }, value: number): void {
  if (Number.isFinite(value)) gauge.set(value);
}

/** A number read from a client's field, or NaN (dropped) when the field is absent. */
export function count(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof (value as { length?: unknown } | null)?.length === 'number') return (value as { length: number }).length;
  return Number.NaN;
}
