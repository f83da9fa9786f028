import type { BoundCounter, ErrorType } from '@agentmeter/core';
import { attempt, OutcomeSeries } from '@agentmeter/core/internal';
import type { Attributes, Histogram } from '@opentelemetry/api';
import { classifyDbError, dbStatusCode } from './errors.ts';
import type { ResolvedDbOptions } from './options.ts';
import { querySummary, statementParser, type StatementParser, type StatementShape } from './statement.ts';
import { performance } from 'node:perf_hooks';

const NOOP_COUNTER: BoundCounter = { add() {} };
const OTHER_TABLE = '_other';
const SQL_CACHE_LIMIT = 1000;
/** agentmeter `db_system` labels whose semantic-convention `db.system.name` differs. */
const SEMCONV_SYSTEMS: Readonly<Record<string, string>> = { pglite: 'postgresql', libsql: 'sqlite', d1: 'sqlite' };
/** Boundaries the semantic conventions advise for db.client.operation.duration. */
const SEMCONV_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** Pre-bound series for one (operation, table) of one client: recording does no attribute work. */
export class QueryHandles {
  readonly shape: StatementShape;
  readonly #recorder: QueryRecorder;
  /** The kernel's duration and count series of this statement shape (error series bound on first use). */
  readonly #outcome: OutcomeSeries;
  #semconv: Attributes | undefined;

  constructor(recorder: QueryRecorder, shape: StatementShape, table: string | undefined) {
    this.shape = shape;
    this.#recorder = recorder;
    const { meter, dbSystem } = recorder.options;
    const labels: Record<string, string> = { db_system: dbSystem, operation: shape.operation };
    if (table !== undefined) labels['table'] = table;
    this.#outcome = new OutcomeSeries(meter.instruments, 'dbQueryDuration', 'dbQueries', labels).warm();
    if (recorder.semconv !== undefined) {
      this.#semconv = {
        'db.system.name': recorder.semconvSystem,
        'db.operation.name': shape.operation,
        'db.query.summary': querySummary(shape, table),
      };
      if (table !== undefined) this.#semconv['db.collection.name'] = table;
    }
  }

  /**
   * Records one finished query. `result` lets a COMMIT that the server turned into a ROLLBACK
   * (PostgreSQL answers an aborted transaction's COMMIT with the ROLLBACK tag) count as one.
   * `sent` is false for a query the driver never sent (see classifyDbError).
   */
  finish(started: number, failed: boolean, error?: unknown, result?: unknown, sent = true): void {
    try {
      const seconds = (performance.now() - started) / 1000;
      let type: ErrorType = 'other';
      this.#outcome.record(seconds, failed);
      if (failed) {
        type = attempt(() => classifyDbError(error, sent), 'other');
        this.#recorder.countError(type);
      }
      const transaction = this.shape.transaction;
      if (transaction === 'commit') {
        this.#recorder.transaction(failed || commandOf(result) === 'ROLLBACK' ? 'rollback' : 'commit');
      } else if (transaction === 'rollback' && !failed) {
        this.#recorder.transaction('rollback');
      }
      if (this.#semconv !== undefined) {
        // The server can name itself after the first queries (mysql2 learns MariaDB from the handshake).
        if (this.#semconv['db.system.name'] !== this.#recorder.semconvSystem)
          this.#semconv = { ...this.#semconv, 'db.system.name': this.#recorder.semconvSystem };
        if (failed) {
          const attributes: Attributes = { ...this.#semconv, 'error.type': type };
          const status = dbStatusCode(error);
          if (status !== undefined) attributes['db.response.status_code'] = status;
          this.#recorder.semconv?.record(seconds, attributes);
        } else this.#recorder.semconv?.record(seconds, this.#semconv);
      }
    } catch {
      // A telemetry failure never alters the query's result or error.
    }
  }
}

function commandOf(result: unknown): unknown {
  return typeof result === 'object' && result !== null ? (result as { command?: unknown }).command : undefined;
}

/** Bookkeeping for one wrapped client: bounded handle caches, tables and transactions. */
export class QueryRecorder {
  readonly options: ResolvedDbOptions;
  readonly semconv: Histogram | undefined;
  /** `db.system.name`: the semantic conventions' name for the system (PGlite is PostgreSQL). */
  semconvSystem: string;
  /** Set while the server's product is still to be learned from a handshake (see learnServer). */
  detecting = false;
  readonly #parser: StatementParser;
  readonly #byKey = new Map<string, QueryHandles>();
  readonly #bySql = new Map<string, QueryHandles>();
  readonly #tables = new Set<string>();
  readonly #commit: BoundCounter;
  readonly #rollback: BoundCounter;

  constructor(options: ResolvedDbOptions) {
    this.options = options;
    const { meter, dbSystem, semconv } = options;
    this.#parser = statementParser(dbSystem);
    this.semconvSystem = SEMCONV_SYSTEMS[dbSystem] ?? dbSystem;
    this.#commit = attempt(
      () => meter.instruments.dbTransactions.bind({ db_system: dbSystem, status: 'commit' }),
      NOOP_COUNTER,
    );
    this.#rollback = attempt(
      () => meter.instruments.dbTransactions.bind({ db_system: dbSystem, status: 'rollback' }),
      NOOP_COUNTER,
    );
    this.semconv = attempt(
      () =>
        semconv?.getMeter('@agentmeter/db').createHistogram('db.client.operation.duration', {
          unit: 's',
          description: 'Duration of database client operations.',
          advice: { explicitBucketBoundaries: SEMCONV_BUCKETS },
        }),
      undefined,
    );
  }

  /**
   * Learns the server's product from its handshake version (mysql2's `serverVersion`), once:
   * MariaDB names itself there (`11.4.2-MariaDB-...`), so `db.system.name` is `mariadb`.
   * Only when `detecting` (no `dbSystem` given); the `db_system` label stays as it was wrapped.
   */
  learnServer(version: unknown): void {
    if (!this.detecting || typeof version !== 'string') return;
    this.detecting = false;
    if (version.includes('MariaDB')) this.semconvSystem = 'mariadb';
  }

  /** The handles of a statement; repeated statements cost one Map lookup. */
  statement(sql: unknown): QueryHandles {
    if (typeof sql === 'string') {
      const cached = this.#bySql.get(sql);
      if (cached !== undefined) return cached;
    }
    const handles = this.handles(this.#parser.shape(sql));
    if (typeof sql === 'string' && sql.length <= 2048) {
      if (this.#bySql.size >= SQL_CACHE_LIMIT) this.#bySql.delete(this.#bySql.keys().next().value as string);
      this.#bySql.set(sql, handles);
    }
    return handles;
  }

  /** The handles of a shape; operations come from a fixed set and tables are capped, so this stays small. */
  handles(shape: StatementShape): QueryHandles {
    const table = this.#table(shape.table);
    const key = `${shape.operation}|${table ?? ''}|${shape.transaction ?? ''}`;
    let handles = this.#byKey.get(key);
    if (handles === undefined) {
      handles = new QueryHandles(this, shape, table);
      this.#byKey.set(key, handles);
    }
    return handles;
  }

  transaction(status: 'commit' | 'rollback'): void {
    try {
      (status === 'commit' ? this.#commit : this.#rollback).add(1);
    } catch {
      // Never into the host.
    }
  }

  /** Counts a failed query in errors_total, by its type (classifyDbError). */
  countError(type: ErrorType): void {
    try {
      this.options.meter.trackError(type, { component: 'db' });
    } catch {
      // Never into the host.
    }
  }

  #table(name: string | undefined): string | undefined {
    if (name === undefined || !this.options.tables) return undefined;
    if (this.#tables.has(name)) return name;
    if (this.#tables.size >= this.options.maxTables) return OTHER_TABLE;
    this.#tables.add(name);
    return name;
  }
}

/** Observes a thenable without replacing it (same object back, as core's runTracked does). */
export function observe<T>(value: T, settle: (failed: boolean, error?: unknown, result?: unknown) => void): T {
  try {
    const then = (value as { then?: unknown } | null | undefined)?.then;
    if (typeof then === 'function') {
      then.call(
        value,
        (result: unknown) => settle(false, undefined, result),
        (error: unknown) => settle(true, error),
      );
      return value;
    }
  } catch {
    // Fall through: a value that is not a thenable settles now.
  }
  settle(false, undefined, value);
  return value;
}

export const now: () => number = () => performance.now();

/** Calls the original; a synchronous throw is counted and rethrown untouched. */
export function callSync(
  fn: (...args: unknown[]) => unknown,
  self: unknown,
  args: unknown[],
  handles: QueryHandles,
  started: number,
): unknown {
  try {
    return fn.apply(self, args);
  } catch (error) {
    handles.finish(started, true, error);
    throw error;
  }
}
