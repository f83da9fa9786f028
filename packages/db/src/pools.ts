import type { Attributes, BatchObservableResult, ObservableUpDownCounter } from '@opentelemetry/api';
import { wrap } from '@agentmeter/core/internal';
import type { ResolvedDbOptions } from './options.ts';
import { now, type QueryHandles, type QueryRecorder } from './recorder.ts';

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
  try {
    const { meter, dbSystem } = options;
    const labels = { db_system: dbSystem, pool: options.pool };
    const i = meter.instruments;
    const gauges = [
      i.dbConnectionsActive.bind(labels),
      i.dbConnectionsIdle.bind(labels),
      i.dbConnectionsMax.bind(labels),
      i.dbConnectionsPending.bind(labels),
    ];
    const ref = new WeakRef(pool);
    observeSemconvPool(options, ref, read);
    const unsubscribe = meter.onCollect(() => {
      const target = ref.deref();
      if (target === undefined) {
        unsubscribe();
        return;
      }
      const sizes = read(target);
      [sizes.active, sizes.idle, sizes.max, sizes.pending].forEach((value, index) => setFinite(gauges[index]!, value));
    });
  } catch {
    // Without gauges the pool still works as it did.
  }
}

/**
 * The semantic-convention pool metrics, through the `semconv` MeterProvider when one is given:
 * `db.client.connection.count{db.client.connection.state=idle|used}`, `db.client.connection.max`
 * and `db.client.connection.pending_requests`, each with `db.client.connection.pool.name`.
 */
function observeSemconvPool<P extends object>(
  options: ResolvedDbOptions,
  ref: WeakRef<P>,
  read: (pool: P) => PoolSizes,
): void {
  const provider = options.semconv;
  if (provider === undefined) return;
  const meter = provider.getMeter('@agentmeter/db');
  const pool = { 'db.client.connection.pool.name': options.pool };
  const connections = meter.createObservableUpDownCounter('db.client.connection.count', {
    unit: '{connection}',
    description: 'The number of connections that are currently in state described by the state attribute.',
  });
  const max = meter.createObservableUpDownCounter('db.client.connection.max', {
    unit: '{connection}',
    description: 'The maximum number of open connections allowed.',
  });
  const pending = meter.createObservableUpDownCounter('db.client.connection.pending_requests', {
    unit: '{request}',
    description: 'The number of current pending requests for an open connection.',
  });
  const callback = (result: BatchObservableResult): void => {
    const target = ref.deref();
    if (target === undefined) {
      meter.removeBatchObservableCallback(callback, [connections, max, pending]);
      return;
    }
    try {
      const sizes = read(target);
      const observe = (instrument: ObservableUpDownCounter, value: number, attributes: Attributes): void => {
        if (Number.isFinite(value)) result.observe(instrument, value, attributes);
      };
      observe(connections, sizes.idle, { ...pool, 'db.client.connection.state': 'idle' });
      observe(connections, sizes.active, { ...pool, 'db.client.connection.state': 'used' });
      observe(max, sizes.max, pool);
      observe(pending, sizes.pending, pool);
    } catch {
      // A pool that cannot be read reports nothing this time.
    }
  };
  meter.addBatchObservableCallback(callback, [connections, max, pending]);
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

type Fn = (...args: unknown[]) => unknown;

/**
 * A pool's query methods run on a connection (counted there) unless the pool cannot get one.
 * The query method calls the acquire method synchronously, so a context set around the call
 * tells which statement a failed acquire belonged to; that failure is counted once, here.
 */
export function countAcquireFailures(
  pool: Record<string, unknown>,
  queryMethods: readonly string[],
  acquireMethod: string,
  recorder: QueryRecorder,
  statementOf: (first: unknown) => unknown,
): void {
  let pending: { handles: QueryHandles; started: number } | undefined;
  for (const name of queryMethods) {
    wrap(
      pool,
      name,
      (query) =>
        function instrumentedPoolQuery(this: unknown, ...args: unknown[]): unknown {
          const outer = pending;
          pending = { handles: recorder.statement(statementOf(args[0])), started: now() };
          try {
            return query.apply(this, args);
          } finally {
            pending = outer;
          }
        },
    );
  }
  wrap(
    pool,
    acquireMethod,
    (acquire) =>
      function instrumentedAcquire(this: unknown, ...args: unknown[]): unknown {
        const context = pending;
        pending = undefined;
        const callback = args[0];
        if (context !== undefined && typeof callback === 'function') {
          args[0] = function onAcquired(this: unknown, error: unknown, ...rest: unknown[]): unknown {
            if (error) context.handles.finish(context.started, true, error);
            return (callback as Fn).call(this, error, ...rest);
          };
        }
        return acquire.apply(this, args);
      },
  );
}

/** Reads a client library's internal field (pools keep their queues in underscored fields). */
export function internal(target: object, name: string): unknown {
  return (target as Record<string, unknown>)[name];
}
