import { claimClient, wrap } from '@agentmeter/core/internal';
import { resolveOptions, unsupported } from './options.ts';
import { now, QueryRecorder, type QueryHandles } from './recorder.ts';
import type { CacheInstrumentOptions } from './types.ts';

const WRAPPER = 'instrumentIoredis';
type Fn = (...args: unknown[]) => unknown;
interface RedisLike {
  sendCommand: Fn;
  pipeline: Fn;
  multi: Fn;
}
/** The fields of an ioredis Command that the wrapper reads or wraps. */
interface RedisCommand {
  [SEEN]?: boolean;
  name?: unknown;
  resolve?: Fn;
  reject?: Fn;
}

/** Reads that hit or miss: a nil (or empty) reply is a miss. */
const READS: ReadonlySet<string> = new Set([
  'get',
  'getex',
  'getdel',
  'hget',
  'hgetall',
  'mget',
  'hmget',
  'exists',
  'hexists',
]);
/** Reads that answer one value per key, counted one hit or miss per key. */
const MULTI_KEY_READS: ReadonlySet<string> = new Set(['mget', 'hmget']);
const WRITES: ReadonlySet<string> = new Set([
  'set',
  'setex',
  'psetex',
  'setnx',
  'getset',
  'mset',
  'msetnx',
  'hset',
  'hmset',
  'hsetnx',
  'hdel',
  'del',
  'unlink',
  'expire',
  'pexpire',
  'expireat',
  'pexpireat',
  'persist',
  'incr',
  'incrby',
  'incrbyfloat',
  'decr',
  'decrby',
  'append',
]);
const HANDSHAKE: ReadonlySet<string> = new Set(['auth', 'hello', 'client', 'select', 'info', 'readonly']);
const COMMAND_NAME = /^[a-z][a-z0-9_.|-]{0,31}$/i;
/** Distinct command names labelled per client; Redis has a few hundred, modules add more. */
const MAX_COMMANDS = 300;

/** Marks a command as counted; a property is far cheaper for the GC than a WeakSet of every command. */
const SEEN: unique symbol = Symbol('agentmeter.seen');

function isRedis(value: unknown): value is RedisLike {
  const r = value as Partial<RedisLike> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.sendCommand === 'function' &&
    typeof r.pipeline === 'function' &&
    typeof r.multi === 'function'
  );
}

/**
 * Instruments an ioredis client (Redis or Cluster) in place and returns it. Every command,
 * pipelined or in MULTI, is timed as a query; reads count cache hits and misses, writes `ok`.
 */
export function instrumentIoredis<T extends object>(client: T, options: CacheInstrumentOptions): T {
  if (!isRedis(client)) unsupported(WRAPPER, client, 'an ioredis Redis or Cluster client');
  const resolved = resolveOptions(WRAPPER, options, 'redis');
  // Wrapping twice changes nothing a scrape sees: the first wrap's options stay.
  if (!claimClient(client, WRAPPER, options)) return client;
  const recorder = new QueryRecorder(resolved);
  const commands = new CommandLabels(recorder);
  wrap(
    client,
    'sendCommand',
    (sendCommand) =>
      function instrumentedSendCommand(this: { status?: unknown }, command: unknown, ...rest: unknown[]): unknown {
        // ioredis resends queued commands after a reconnect; each is counted once.
        if (typeof command === 'object' && command !== null && (command as RedisCommand)[SEEN] !== true) {
          const name = nameOf(command as RedisCommand);
          // The client's own connection handshake is not the application's traffic.
          if (!(this.status === 'connect' && HANDSHAKE.has(name))) {
            (command as RedisCommand)[SEEN] = true;
            // Sent on a ready connection, or queued offline until one is up (a refused connection never sends it).
            watch(command as RedisCommand, name, commands, this.status === 'ready');
          }
        }
        return sendCommand.call(this, command, ...rest);
      },
  );
  return client;
}

/** Per-client labels: command names are capped, cache labels resolved once per name. */
class CommandLabels {
  readonly recorder: QueryRecorder;
  readonly cache: string;
  /** Commands queued since MULTI: their replies arrive in EXEC's reply, not their own ("QUEUED"). */
  queued: string[] | undefined;
  readonly #handles = new Map<string, QueryHandles>();

  constructor(recorder: QueryRecorder) {
    this.recorder = recorder;
    this.cache = recorder.options.cache;
  }

  handles(name: string): QueryHandles {
    let handles = this.#handles.get(name);
    if (handles === undefined) {
      const known = COMMAND_NAME.test(name) && this.#handles.size < MAX_COMMANDS;
      handles = this.recorder.handles({
        operation: known ? name.toUpperCase() : 'OTHER',
        table: undefined,
        transaction: undefined,
      });
      if (known) this.#handles.set(name, handles);
    }
    return handles;
  }

  cacheResult(name: string, failed: boolean, reply: unknown): void {
    const { meter } = this.recorder.options;
    if (WRITES.has(name)) {
      meter.recordCacheOperation({ cache: this.cache, operation: name, result: failed ? 'error' : 'ok' });
      return;
    }
    if (!READS.has(name)) return;
    if (failed) {
      meter.recordCacheOperation({ cache: this.cache, operation: name, result: 'error' });
    } else if (MULTI_KEY_READS.has(name) && Array.isArray(reply)) {
      for (const value of reply)
        meter.recordCacheOperation({ cache: this.cache, operation: name, result: value === null ? 'miss' : 'hit' });
    } else {
      meter.recordCacheOperation({ cache: this.cache, operation: name, result: isMiss(reply) ? 'miss' : 'hit' });
    }
  }
}

function isMiss(reply: unknown): boolean {
  if (reply === null || reply === undefined || reply === 0) return true;
  return Array.isArray(reply) && reply.length === 0;
}

function nameOf(command: RedisCommand): string {
  return typeof command.name === 'string' ? command.name.toLowerCase() : '';
}

function watch(command: RedisCommand, name: string, labels: CommandLabels, sent: boolean): void {
  try {
    // Commands between MULTI and EXEC on a connection are queued by the server, whichever caller sent them.
    let queuedIn: string[] | undefined;
    if (name === 'multi') labels.queued = [];
    else if (name === 'exec' || name === 'discard') {
      queuedIn = labels.queued;
      labels.queued = undefined;
    } else if (labels.queued !== undefined) {
      labels.queued.push(name);
      queuedIn = labels.queued;
    }
    const handles = labels.handles(name);
    const started = now();
    const { resolve, reject } = command;
    if (typeof resolve !== 'function' || typeof reject !== 'function') return;
    let settled = false;
    const settle = (failed: boolean, error: unknown, reply: unknown): void => {
      if (settled) return;
      settled = true;
      handles.finish(started, failed, error, undefined, sent);
      try {
        if (name === 'exec') {
          labels.recorder.transaction(failed || reply === null ? 'rollback' : 'commit');
          if (queuedIn !== undefined && Array.isArray(reply)) {
            queuedIn.forEach((queuedName, index) => {
              const queuedReply: unknown = reply[index];
              labels.cacheResult(queuedName, queuedReply instanceof Error, queuedReply);
            });
          }
        } else if (name === 'discard') {
          if (!failed) labels.recorder.transaction('rollback');
        } else if (queuedIn === undefined || failed) {
          labels.cacheResult(name, failed, reply);
        }
      } catch {
        // Never into the host.
      }
    };
    command.resolve = function instrumentedResolve(this: unknown, reply: unknown): unknown {
      settle(false, undefined, reply);
      return resolve.call(this, reply);
    };
    command.reject = function instrumentedReject(this: unknown, error: unknown): unknown {
      settle(true, error, undefined);
      return reject.call(this, error);
    };
  } catch {
    // A command that cannot be watched is simply not counted.
  }
}
