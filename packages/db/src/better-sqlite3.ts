import { claimClient, wrap } from '@agentmeter/core/internal';
import { resolveOptions, unsupported } from './options.ts';
import { QueryRecorder, type QueryHandles } from './recorder.ts';
import type { DbInstrumentOptions } from './types.ts';
import { performance } from 'node:perf_hooks';

const WRAPPER = 'instrumentBetterSqlite3';
type Fn = (...args: unknown[]) => unknown;
interface DatabaseLike {
  prepare: Fn;
  exec: Fn;
  transaction: Fn;
  pragma: Fn;
  inTransaction: boolean;
}
interface StatementLike {
  [HANDLES]?: QueryHandles;
  source?: unknown;
  run?: Fn;
  get?: Fn;
  all?: Fn;
  iterate?: Fn;
}
const TRANSACTION_VARIANTS = ['deferred', 'immediate', 'exclusive'] as const;

function isDatabase(value: unknown): value is DatabaseLike {
  const db = value as Partial<DatabaseLike> | null;
  return (
    typeof db === 'object' &&
    db !== null &&
    typeof db.prepare === 'function' &&
    typeof db.exec === 'function' &&
    typeof db.transaction === 'function' &&
    typeof db.pragma === 'function' &&
    typeof db.inTransaction === 'boolean'
  );
}

/**
 * Instruments a better-sqlite3 Database in place and returns it. The API is synchronous, so
 * the bookkeeping is too: a statement is parsed and its series bound once, when it is
 * prepared, and each run costs two clock reads and two pre-bound updates.
 */
export function instrumentBetterSqlite3<T extends object>(db: T, options: DbInstrumentOptions): T {
  if (!isDatabase(db)) unsupported(WRAPPER, db, 'a better-sqlite3 Database (new Database(file))');
  const resolved = resolveOptions(WRAPPER, options, 'sqlite');
  // Wrapping twice changes nothing a scrape sees: the first wrap's options stay.
  if (!claimClient(db, WRAPPER, options)) return db;
  const recorder = new QueryRecorder(resolved);
  let methods: StatementMethods | undefined;
  wrap(
    db,
    'prepare',
    (prepare) =>
      function instrumentedPrepare(this: unknown, ...args: unknown[]): unknown {
        const handles = recorder.statement(args[0]);
        // A statement that fails to prepare (a syntax error) counts as one failed query.
        const statement = timedCall(prepare, this, args, handles, true) as StatementLike;
        try {
          methods ??= statementMethods(Object.getPrototypeOf(statement) as StatementLike);
          statement[HANDLES] = handles;
          Object.assign(statement, methods);
        } catch {
          // A statement that cannot be wrapped runs as it is.
        }
        return statement;
      },
  );
  wrap(
    db,
    'exec',
    (exec) =>
      function instrumentedExec(this: unknown, ...args: unknown[]): unknown {
        return timedCall(exec, this, args, recorder.statement(args[0]));
      },
  );
  wrap(
    db,
    'transaction',
    (transaction) =>
      function instrumentedTransaction(this: unknown, ...args: unknown[]): unknown {
        const tx = transaction.apply(this, args);
        return typeof tx === 'function' ? wrapTransaction(tx as Fn & Record<string, unknown>, db, recorder) : tx;
      },
  );
  return db;
}

function timedCall(method: Fn, self: unknown, args: unknown[], handles: QueryHandles, onlyErrors = false): unknown {
  const started = performance.now();
  let result: unknown;
  try {
    result = method.apply(self, args);
  } catch (error) {
    handles.finish(started, true, error);
    throw error;
  }
  if (!onlyErrors) handles.finish(started, false);
  return result;
}

/** The statement's series, set once at prepare time and read by the shared wrappers below. */
const HANDLES: unique symbol = Symbol('agentmeter.handles');
type StatementMethods = Pick<StatementLike, 'run' | 'get' | 'all' | 'iterate'>;

/**
 * One set of wrappers per Statement class, shared by every statement: preparing a statement
 * allocates no closures, only stores its handles. better-sqlite3 counts the arguments it is
 * given, so the wrappers pass exactly as many, without an arguments array for the common arities.
 */
function statementMethods(proto: StatementLike): StatementMethods {
  const methods: StatementMethods = {};
  for (const name of ['run', 'get', 'all'] as const) {
    const method = proto[name];
    if (typeof method !== 'function') continue;
    methods[name] = function timed(this: StatementLike, a?: unknown, b?: unknown): unknown {
      const handles = this[HANDLES]!;
      const started = performance.now();
      let result: unknown;
      try {
        const count = arguments.length;
        // oxlint-disable-next-line prefer-rest-params -- arity must be kept exactly, without a rest array on the hot path
        result =
          count === 0
            ? method.call(this)
            : count === 1
              ? method.call(this, a)
              : count === 2
                ? method.call(this, a, b)
                : method.apply(this, arguments as unknown as unknown[]);
      } catch (error) {
        handles.finish(started, true, error);
        throw error;
      }
      handles.finish(started, false);
      return result;
    };
  }
  const iterate = proto.iterate;
  if (typeof iterate === 'function') {
    methods.iterate = function iterate_(this: StatementLike, ...args: unknown[]): unknown {
      const handles = this[HANDLES]!;
      const started = performance.now();
      const iterator = timedCall(iterate, this, args, handles, true) as Iterator<unknown>;
      watchIterator(iterator, handles, started);
      return iterator;
    };
  }
  return methods;
}

/** Times an iteration from iterate() to its end, an early return or an error. */
function watchIterator(iterator: Iterator<unknown>, handles: QueryHandles, started: number): void {
  try {
    let done = false;
    const finish = (failed: boolean, error?: unknown): void => {
      if (done) return;
      done = true;
      handles.finish(started, failed, error);
    };
    const { next, return: close } = iterator;
    iterator.next = function next_(this: unknown, ...args: [] | [unknown]): IteratorResult<unknown> {
      let step: IteratorResult<unknown>;
      try {
        step = next.apply(this, args);
      } catch (error) {
        finish(true, error);
        throw error;
      }
      if (step.done === true) finish(false);
      return step;
    };
    if (typeof close === 'function') {
      iterator.return = function return_(this: unknown, value?: unknown): IteratorResult<unknown> {
        finish(false);
        return close.call(this, value);
      };
    }
  } catch {
    // Left as it is.
  }
}

/** Wraps a transaction function and its deferred/immediate/exclusive variants; nested calls (savepoints) are not transactions. */
function wrapTransaction(tx: Fn & Record<string, unknown>, db: DatabaseLike, recorder: QueryRecorder): Fn {
  const timedVariant = (variant: unknown): Fn => {
    const fn = variant as Fn;
    return function sqliteTransaction(this: unknown, ...args: unknown[]): unknown {
      const outermost = !db.inTransaction;
      let result: unknown;
      try {
        result = fn.apply(this, args);
      } catch (error) {
        if (outermost) recorder.transaction('rollback');
        throw error;
      }
      if (outermost) recorder.transaction('commit');
      return result;
    };
  };
  try {
    const wrapped = timedVariant(tx);
    const properties: PropertyDescriptorMap = {
      default: { value: wrapped },
      database: { value: tx['database'], enumerable: true },
    };
    const variants = [wrapped];
    for (const name of TRANSACTION_VARIANTS) {
      const variant = typeof tx[name] === 'function' ? timedVariant(tx[name]) : undefined;
      if (variant !== undefined) {
        properties[name] = { value: variant };
        variants.push(variant);
      }
    }
    for (const variant of variants) Object.defineProperties(variant, properties);
    return wrapped;
  } catch {
    return tx;
  }
}
