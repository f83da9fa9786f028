/**
 * Wrappers for pg, mysql2, ioredis, PGlite and better-sqlite3, and generic query and cache trackers.
 *
 * @packageDocumentation
 * @module @agentmeter/db
 */
export { createCacheTracker, createQueryTracker } from './generic.ts';
export { instrumentBetterSqlite3 } from './better-sqlite3.ts';
export { instrumentIoredis } from './ioredis.ts';
export { instrumentMysql2 } from './mysql2.ts';
export { instrumentPg } from './pg.ts';
export { instrumentPGlite } from './pglite.ts';
export { StatementParser } from './statement.ts';

export type { CacheTracker, QueryTracker } from './generic.ts';
export type { SqlDialect, StatementShape } from './statement.ts';
export type { CacheInstrumentOptions, DbInstrumentOptions } from './types.ts';
