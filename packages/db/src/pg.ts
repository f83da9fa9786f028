import { claimClient, wrap } from '@agentmeter/core/internal';
import { resolveOptions, unsupported } from './options.ts';
import { count, countAcquireFailures, internal, observePool } from './pools.ts';
import { callSync, now, observe, QueryRecorder } from './recorder.ts';
import type { DbInstrumentOptions } from './types.ts';

const WRAPPER = 'instrumentPg';
type Fn = (...args: unknown[]) => unknown;
interface PgClientLike {
  query: Fn;
  connect: Fn;
}
interface PgPoolLike extends PgClientLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
  on(event: string, listener: (client: PgClientLike) => void): unknown;
}

function isPool(value: object): value is PgPoolLike {
  const pool = value as Partial<PgPoolLike>;
  return (
    typeof pool.query === 'function' &&
    typeof pool.connect === 'function' &&
    typeof pool.on === 'function' &&
    typeof pool.totalCount === 'number' &&
    typeof pool.idleCount === 'number' &&
    typeof pool.waitingCount === 'number'
  );
}

function isClient(value: object): value is PgClientLike {
  const client = value as Partial<PgClientLike> & { escapeLiteral?: unknown };
  return (
    typeof client.query === 'function' &&
    typeof client.connect === 'function' &&
    typeof client.escapeLiteral === 'function'
  );
}

/**
 * Instruments a `pg` Client or Pool in place and returns it. A Pool's clients are instrumented
 * as the pool connects them (its `connect` event), and its sizes feed the connection gauges.
 */
export function instrumentPg<T extends object>(client: T, options: DbInstrumentOptions): T {
  if (typeof client !== 'object' || client === null || (!isPool(client) && !isClient(client))) {
    unsupported(WRAPPER, client, 'a pg.Client or pg.Pool');
  }
  const resolved = resolveOptions(WRAPPER, options, 'postgresql');
  if (!claimClient(client, WRAPPER, options)) return client;
  const recorder = new QueryRecorder(resolved);
  if (!isPool(client)) instrumentClient(client, recorder);
  else instrumentPool(client, recorder);
  return client;
}

function instrumentPool(pool: PgPoolLike, recorder: QueryRecorder): void {
  const clients = internal(pool, '_clients');
  for (const existing of Array.isArray(clients) ? clients : []) instrumentClient(existing as PgClientLike, recorder);
  pool.on('connect', (client) => instrumentClient(client, recorder));
  observePool(recorder.options, pool, (p) => ({
    active: p.totalCount - p.idleCount,
    idle: p.idleCount,
    max: count(p.options?.max),
    pending: p.waitingCount,
  }));
  countAcquireFailures(pool as unknown as Record<string, unknown>, ['query'], 'connect', recorder, statementOf);
}

function statementOf(config: unknown): unknown {
  if (typeof config === 'string') return config;
  return typeof config === 'object' && config !== null ? (config as { text?: unknown }).text : undefined;
}

function instrumentClient(client: PgClientLike, recorder: QueryRecorder): void {
  // A pool's clients are instrumented once, whichever way they are reached (the kit's wrap is idempotent).
  wrap(
    client,
    'query',
    (query) =>
      function instrumentedQuery(this: unknown, ...args: unknown[]): unknown {
        const config = args[0];
        // Submittables (cursors, query streams) report through their own events; they pass through.
        if (typeof (config as { submit?: unknown } | null)?.submit === 'function') return query.apply(this, args);
        const handles = recorder.statement(statementOf(config));
        const started = now();
        const last = typeof args[2] === 'function' ? 2 : typeof args[1] === 'function' ? 1 : -1;
        if (last !== -1) {
          const callback = args[last] as Fn;
          args[last] = function onQueryResult(this: unknown, error: unknown, result: unknown): unknown {
            handles.finish(started, Boolean(error), error, result);
            return callback.call(this, error, result);
          };
          return callSync(query, this, args, handles, started);
        }
        if (typeof (config as { callback?: unknown } | null)?.callback === 'function') {
          const original = config as { callback: Fn };
          const copy = Object.assign(Object.create(Object.getPrototypeOf(original) as object) as object, original, {
            callback(this: unknown, error: unknown, result: unknown): unknown {
              handles.finish(started, Boolean(error), error, result);
              return original.callback.call(this, error, result);
            },
          });
          args[0] = copy;
          return callSync(query, this, args, handles, started);
        }
        return observe(callSync(query, this, args, handles, started), (failed, error, result) => {
          handles.finish(started, failed, error, result);
        });
      },
  );
}
