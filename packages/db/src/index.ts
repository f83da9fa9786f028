/**
 * Wrappers for pg, mysql2, ioredis, PGlite and better-sqlite3, and generic query and cache trackers.
 *
 * @packageDocumentation
 * @module @agentmeter/db
 */
import { guardCreation } from '@agentmeter/core/internal';
import { createCacheTracker as rawCreateCacheTracker, createQueryTracker as rawCreateQueryTracker } from './generic.ts';
import { instrumentBetterSqlite3 as rawInstrumentBetterSqlite3 } from './better-sqlite3.ts';
import { instrumentIoredis as rawInstrumentIoredis } from './ioredis.ts';
import { instrumentMysql2 as rawInstrumentMysql2 } from './mysql2.ts';
import { instrumentPg as rawInstrumentPg } from './pg.ts';
import { instrumentPGlite as rawInstrumentPGlite } from './pglite.ts';
export { StatementParser } from './statement.ts';

export type { CacheTracker, QueryTracker } from './generic.ts';
export type { SqlDialect, StatementShape } from './statement.ts';
export type { CacheInstrumentOptions, DbInstrumentOptions } from './types.ts';

/**
 * A cache tracker for any cache client: `createCacheTracker({ meter, cache: 'memcached' })`.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const createCacheTracker: typeof rawCreateCacheTracker = guardCreation(
  'createCacheTracker',
  rawCreateCacheTracker,
);
/**
 * A query tracker for a client agentmeter has no wrapper for: `createQueryTracker({ meter, dbSystem: 'mongodb' })`.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const createQueryTracker: typeof rawCreateQueryTracker = guardCreation(
  'createQueryTracker',
  rawCreateQueryTracker,
);
/**
 * Instruments a better-sqlite3 Database in place and returns it. The API is synchronous, so
 * the bookkeeping is too: a statement is parsed and its series bound once, when it is
 * prepared, and each run costs two clock reads and two pre-bound updates.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentBetterSqlite3: typeof rawInstrumentBetterSqlite3 = guardCreation(
  'instrumentBetterSqlite3',
  rawInstrumentBetterSqlite3,
);
/**
 * Instruments an ioredis client (Redis or Cluster) in place and returns it. Every command,
 * pipelined or in MULTI, is timed as a query; reads count cache hits and misses, writes `ok`.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentIoredis: typeof rawInstrumentIoredis = guardCreation('instrumentIoredis', rawInstrumentIoredis);
/**
 * Instruments a mysql2 connection or pool in place and returns it: the callback API
 * (`mysql2`) or the promise API (`mysql2/promise`, whose objects wrap a callback one).
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentMysql2: typeof rawInstrumentMysql2 = guardCreation('instrumentMysql2', rawInstrumentMysql2);
/**
 * Instruments a `pg` Client or Pool in place and returns it. A Pool's clients are instrumented
 * as the pool connects them (its `connect` event), and its sizes feed the connection gauges.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentPg: typeof rawInstrumentPg = guardCreation('instrumentPg', rawInstrumentPg);
/**
 * Instruments an in-process PGlite database in place and returns it: `query`, `sql` and
 * `exec`, and `transaction(callback)` with its own queries and its commit or rollback.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentPGlite: typeof rawInstrumentPGlite = guardCreation('instrumentPGlite', rawInstrumentPGlite);
