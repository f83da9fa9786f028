import { claimClient, isWrapped, wrap } from '@agentmeter/core/internal';
import { resolveOptions, unsupported } from './options.ts';
import { count, countAcquireFailures, internal, observePool } from './pools.ts';
import { callSync, now, QueryRecorder, type QueryHandles } from './recorder.ts';
import type { DbInstrumentOptions } from './types.ts';

const WRAPPER = 'instrumentMysql2';
type Fn = (...args: unknown[]) => unknown;
interface Mysql2Connection {
  query: Fn;
  execute: Fn;
  addCommand: Fn;
  once?: (event: string, listener: () => void) => unknown;
}
interface Mysql2Pool {
  query: Fn;
  execute: Fn;
  getConnection: Fn;
  on(event: string, listener: (connection: Mysql2Connection) => void): unknown;
  config: { connectionLimit?: number };
}
/** A command object mysql2 returns: an EventEmitter when no callback was given. */
interface Command {
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

function isConnection(value: unknown): value is Mysql2Connection {
  const c = value as Partial<Mysql2Connection> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.query === 'function' &&
    typeof c.execute === 'function' &&
    typeof c.addCommand === 'function'
  );
}

function isPool(value: unknown): value is Mysql2Pool {
  const p = value as Partial<Mysql2Pool> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.getConnection === 'function' &&
    typeof p.query === 'function' &&
    typeof p.on === 'function' &&
    typeof p.config?.connectionLimit === 'number'
  );
}

/**
 * Instruments a mysql2 connection or pool in place and returns it: the callback API
 * (`mysql2`) or the promise API (`mysql2/promise`, whose objects wrap a callback one).
 */
export function instrumentMysql2<T extends object>(client: T, options: DbInstrumentOptions): T {
  const inner = client as { connection?: unknown; pool?: unknown } | null;
  const core =
    isConnection(client) || isPool(client)
      ? client
      : isConnection(inner?.connection)
        ? inner.connection
        : isPool(inner?.pool)
          ? inner.pool
          : undefined;
  if (core === undefined) unsupported(WRAPPER, client, 'a mysql2 Connection or Pool (callback or promise API)');
  const resolved = resolveOptions(WRAPPER, options, 'mysql');
  // Wrapping twice (the promise object or the callback one inside it) changes nothing a scrape sees.
  if (!claimClient(core, WRAPPER, options)) return client;
  const recorder = new QueryRecorder(resolved);
  // MySQL or MariaDB: without a dbSystem, the server's handshake says which (db.system.name).
  recorder.detecting = options.dbSystem === undefined;
  if (isPool(core)) instrumentPool(core, recorder);
  else instrumentConnection(core, recorder);
  return client;
}

function instrumentPool(pool: Mysql2Pool, recorder: QueryRecorder): void {
  // A pool is instrumented once (the kit marks its wrapped query method).
  if (isWrapped(pool.query)) return;
  for (const connection of queueItems(internal(pool, '_allConnections'))) instrumentConnection(connection, recorder);
  pool.on('connection', (connection) => instrumentConnection(connection, recorder));
  observePool(recorder.options, pool, (p) => {
    const all = count(internal(p, '_allConnections'));
    const idle = count(internal(p, '_freeConnections'));
    return {
      active: all - idle,
      idle,
      max: count(p.config.connectionLimit),
      pending: count(internal(p, '_connectionQueue')),
    };
  });
  countAcquireFailures(
    pool as unknown as Record<string, unknown>,
    ['query', 'execute'],
    'getConnection',
    recorder,
    statementOf,
  );
}

function queueItems(queue: unknown): Mysql2Connection[] {
  const q = queue as { length?: unknown; get?: unknown } | undefined;
  if (typeof q?.length !== 'number' || typeof q.get !== 'function') return [];
  const items: Mysql2Connection[] = [];
  for (let index = 0; index < q.length; index++) {
    const item: unknown = (q.get as (index: number) => unknown).call(q, index);
    if (isConnection(item)) items.push(item);
  }
  return items;
}

function statementOf(sql: unknown): unknown {
  if (typeof sql === 'string') return sql;
  return typeof sql === 'object' && sql !== null ? (sql as { sql?: unknown }).sql : undefined;
}

function instrumentConnection(connection: Mysql2Connection, recorder: QueryRecorder): void {
  // A connection is instrumented once, whichever way it is reached (the kit's wrap is idempotent).
  if (isWrapped(connection.query)) return;
  if (recorder.detecting) {
    // Connected already (the promise API, a pool's connections), or once its handshake is done,
    // which is before any of its queries runs.
    const version = serverVersionOf(connection);
    if (version !== undefined) recorder.learnServer(version);
    else if (typeof connection.once === 'function')
      connection.once('connect', () => recorder.learnServer(serverVersionOf(connection)));
  }
  wrap(connection, 'query', (query) => wrapCommand(query, recorder));
  wrap(connection, 'execute', (execute) => wrapCommand(execute, recorder));
}

function wrapCommand(method: Fn, recorder: QueryRecorder): Fn {
  return function instrumentedCommand(this: unknown, ...args: unknown[]): unknown {
    const first = args[0];
    const handles = recorder.statement(statementOf(first));
    const started = now();
    const last = typeof args[2] === 'function' ? 2 : typeof args[1] === 'function' ? 1 : -1;
    if (last !== -1) {
      args[last] = settleThen(args[last] as Fn, handles, started);
      return callSync(method, this, args, handles, started);
    }
    // A pool hands its connections a ready Query object whose onResult is the callback.
    const onResult = (first as { onResult?: unknown } | null)?.onResult;
    if (typeof onResult === 'function') {
      (first as { onResult: Fn }).onResult = settleThen(onResult as Fn, handles, started);
      return callSync(method, this, args, handles, started);
    }
    const command = callSync(method, this, args, handles, started) as Command;
    watchEvents(command, handles, started);
    return command;
  };
}

/**
 * The server version a connection's handshake announced (`11.4.2-MariaDB-...`, `8.4.3`): mysql2
 * keeps the handshake packet on the connection once connected, before any query runs.
 */
function serverVersionOf(connection: unknown): unknown {
  try {
    const handshake =
      typeof connection === 'object' && connection !== null ? internal(connection, '_handshakePacket') : undefined;
    return (handshake as { serverVersion?: unknown } | null | undefined)?.serverVersion;
  } catch {
    return undefined;
  }
}

function settleThen(callback: Fn, handles: QueryHandles, started: number): Fn {
  let settled = false;
  return function onResult(this: unknown, error: unknown, ...rest: unknown[]): unknown {
    if (!settled) {
      settled = true;
      handles.finish(started, Boolean(error), error, rest[0]);
    }
    return callback.call(this, error, ...rest);
  };
}

/** Emitter mode: reads the command's own error and end events without adding listeners. */
function watchEvents(command: Command, handles: QueryHandles, started: number): void {
  try {
    const emit = command.emit;
    let failure: { error: unknown } | undefined;
    let settled = false;
    command.emit = function watchedEmit(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'error' && failure === undefined) failure = { error: args[0] };
      else if (event === 'end' && !settled) {
        settled = true;
        handles.finish(started, failure !== undefined, failure?.error);
      }
      return emit.call(this, event, ...args);
    };
  } catch {
    // A command that cannot be watched is simply not counted.
  }
}
