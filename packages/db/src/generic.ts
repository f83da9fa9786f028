import { AgentMeterConfigError } from '@agentmeter/core';
import { describeValue, runTracked } from '@agentmeter/core/internal';
import { diag } from '@opentelemetry/api';
import { resolveOptions } from './options.ts';
import { now, observe, QueryRecorder, type QueryHandles } from './recorder.ts';
import type { CacheInstrumentOptions, DbInstrumentOptions } from './types.ts';

const OPERATION = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
const TABLE = /^[A-Za-z0-9_$.:-]{1,63}$/;
/** Distinct operation labels per tracker; later ones are `OTHER`. */
const MAX_OPERATIONS = 100;

/** Times queries of any client that agentmeter does not wrap itself. */
export interface QueryTracker {
  /**
   * Times `fn` (sync or async) as one query. A statement string is parsed for its operation
   * and table and never recorded; or name them: `{ operation: 'find', table: 'users' }`.
   */
  query<T>(statement: string | { operation: string; table?: string }, fn: () => T): T;
  /** Runs `fn` as a transaction: commit when it returns (or resolves), rollback when it throws. */
  transaction<T>(fn: () => T): T;
}

/** Counts cache reads (hit or miss) and writes of any cache client. */
export interface CacheTracker {
  /** A read: a null or undefined result is a miss, anything else a hit (or decide with `isHit`). */
  read<T>(operation: string, fn: () => T, isHit?: (value: Awaited<T>) => boolean): T;
  /** A write: `ok`, or `error` when it throws. */
  write<T>(operation: string, fn: () => T): T;
}

class Operations {
  readonly #known = new Set<string>();

  label(operation: unknown): string {
    if (typeof operation !== 'string' || !OPERATION.test(operation)) return 'OTHER';
    if (this.#known.has(operation)) return operation;
    if (this.#known.size >= MAX_OPERATIONS) return 'OTHER';
    this.#known.add(operation);
    return operation;
  }
}

/** False (with one warning) when `fn` is not a function: there is nothing to run or record, and the caller gets undefined. */
function callable(helper: string, fn: unknown): boolean {
  if (typeof fn === 'function') return true;
  diag.warn(
    `@agentmeter/db: ${helper} takes a function to run as its last argument (got ${describeValue(fn)}); nothing ran`,
  );
  return false;
}

/** A query tracker for a client agentmeter has no wrapper for: `createQueryTracker({ meter, dbSystem: 'mongodb' })`. */
export function createQueryTracker(options: DbInstrumentOptions): QueryTracker {
  const resolved = resolveOptions('createQueryTracker', options, 'other_sql');
  if (options.dbSystem === undefined) {
    throw new AgentMeterConfigError(
      "createQueryTracker: options.dbSystem is required, e.g. { meter, dbSystem: 'mongodb' }",
    );
  }
  const recorder = new QueryRecorder(resolved);
  const operations = new Operations();
  return {
    query(statement, fn) {
      if (!callable('query', fn)) return undefined as never;
      let handles: QueryHandles;
      try {
        if (typeof statement === 'object' && statement !== null) {
          const table =
            typeof statement.table === 'string' && TABLE.test(statement.table) ? statement.table : undefined;
          handles = recorder.handles({
            operation: operations.label(statement.operation),
            table,
            transaction: undefined,
          });
        } else {
          handles = recorder.statement(statement);
        }
      } catch {
        // A statement object whose getters throw (or a throwing proxy) is not measured; the query still runs.
        handles = recorder.statement(undefined);
      }
      const started = now();
      return runTracked(fn, (error) => handles.finish(started, error !== undefined, error));
    },
    transaction(fn) {
      if (!callable('transaction', fn)) return undefined as never;
      return runTracked(fn, (error) => recorder.transaction(error === undefined ? 'commit' : 'rollback'));
    },
  };
}

/** A cache tracker for any cache client: `createCacheTracker({ meter, cache: 'memcached' })`. */
export function createCacheTracker(options: CacheInstrumentOptions): CacheTracker {
  const { meter, cache } = resolveOptions('createCacheTracker', options, 'cache');
  const operations = new Operations();
  const record = (operation: string, result: 'hit' | 'miss' | 'ok' | 'error'): void => {
    try {
      meter.recordCacheOperation({ cache, operation, result });
    } catch {
      // Never into the host.
    }
  };
  return {
    read(operation, fn, isHit) {
      const label = operations.label(operation);
      return run(label, fn, (failed, value) => {
        if (failed) return record(label, 'error');
        let hit: boolean;
        try {
          hit = isHit === undefined ? value !== null && value !== undefined : isHit(value as never) === true;
        } catch {
          hit = false;
        }
        record(label, hit ? 'hit' : 'miss');
      });
    },
    write(operation, fn) {
      const label = operations.label(operation);
      return run(label, fn, (failed) => record(label, failed ? 'error' : 'ok'));
    },
  };
}

/** Runs a cache operation; `settle` sees the resolved value, which hit-or-miss needs. */
function run<T>(operation: string, fn: () => T, settle: (failed: boolean, value: unknown) => void): T {
  if (!callable(operation, fn)) return undefined as never;
  let result: T;
  try {
    result = fn();
  } catch (error) {
    settle(true, undefined);
    throw error;
  }
  return observe(result, (failed, _error, value) => settle(failed, value));
}
