import { claimClient, wrap } from '@agentmeter/core/internal';
import { resolveOptions, unsupported } from './options.ts';
import { callSync, now, observe, QueryRecorder } from './recorder.ts';
import type { DbInstrumentOptions } from './types.ts';

const WRAPPER = 'instrumentPGlite';
type Fn = (...args: unknown[]) => unknown;
interface PGliteLike {
  query: Fn;
  exec: Fn;
  transaction: Fn;
  describeQuery: Fn;
}
/** The transaction object PGlite passes to `transaction(callback)`. */
interface Transaction {
  query?: Fn;
  sql?: Fn;
  exec?: Fn;
  rollback?: Fn;
}

function isPGlite(value: unknown): value is PGliteLike {
  const db = value as Partial<PGliteLike> | null;
  return (
    typeof db === 'object' &&
    db !== null &&
    typeof db.query === 'function' &&
    typeof db.exec === 'function' &&
    typeof db.transaction === 'function' &&
    typeof db.describeQuery === 'function'
  );
}

/**
 * Instruments an in-process PGlite database in place and returns it: `query`, `sql` and
 * `exec`, and `transaction(callback)` with its own queries and its commit or rollback.
 */
export function instrumentPGlite<T extends object>(db: T, options: DbInstrumentOptions): T {
  if (!isPGlite(db)) unsupported(WRAPPER, db, 'a PGlite instance (new PGlite() or PGlite.create())');
  const resolved = resolveOptions(WRAPPER, options, 'pglite');
  // Wrapping twice changes nothing a scrape sees: the first wrap's options stay.
  if (!claimClient(db, WRAPPER, options)) return db;
  const recorder = new QueryRecorder(resolved);
  // `sql` calls `this.query`, so wrapping `query` counts tagged templates once.
  wrap(db, 'query', (query) => timed(query, recorder, (args) => args[0]));
  wrap(db, 'exec', (exec) => timed(exec, recorder, (args) => args[0]));
  wrap(
    db,
    'transaction',
    (transaction) =>
      function instrumentedTransaction(this: unknown, ...args: unknown[]): unknown {
        const callback = args[0];
        if (typeof callback !== 'function') return transaction.apply(this, args);
        let rolledBack = false;
        args[0] = function instrumentedCallback(this: unknown, tx: Transaction, ...rest: unknown[]): unknown {
          try {
            wrap(tx, 'query', (query) => timed(query, recorder, (a) => a[0]));
            wrap(tx, 'exec', (exec) => timed(exec, recorder, (a) => a[0]));
            wrap(tx, 'sql', (sql) => timed(sql, recorder, templateText));
            wrap(
              tx,
              'rollback',
              (rollback) =>
                function instrumentedRollback(this: unknown, ...rollbackArgs: unknown[]): unknown {
                  rolledBack = true;
                  return rollback.apply(this, rollbackArgs);
                },
            );
          } catch {
            // A transaction object that cannot be wrapped runs as it is.
          }
          return (callback as Fn).call(this, tx, ...rest);
        };
        return observe(transaction.apply(this, args), (failed) => {
          recorder.transaction(failed || rolledBack ? 'rollback' : 'commit');
        });
      },
  );
  return db;
}

/** The statement of a tagged template, with placeholders where the values go (values are never read). */
function templateText(args: unknown[]): unknown {
  const strings = args[0];
  return Array.isArray(strings) ? strings.join('$') : undefined;
}

function timed(method: Fn, recorder: QueryRecorder, statementOf: (args: unknown[]) => unknown): Fn {
  return function instrumentedQuery(this: unknown, ...args: unknown[]): unknown {
    const handles = recorder.statement(statementOf(args));
    const started = now();
    return observe(callSync(method, this, args, handles, started), (failed, error, result) => {
      handles.finish(started, failed, error, result);
    });
  };
}
