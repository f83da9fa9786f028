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

/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const createCacheTracker: typeof rawCreateCacheTracker = guardCreation('createCacheTracker', rawCreateCacheTracker);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const createQueryTracker: typeof rawCreateQueryTracker = guardCreation('createQueryTracker', rawCreateQueryTracker);
/** {@inheritDoc rawInstrumentBetterSqlite3} Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentBetterSqlite3: typeof rawInstrumentBetterSqlite3 = guardCreation('instrumentBetterSqlite3', rawInstrumentBetterSqlite3);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentIoredis: typeof rawInstrumentIoredis = guardCreation('instrumentIoredis', rawInstrumentIoredis);
/** {@inheritDoc rawInstrumentMysql2} Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentMysql2: typeof rawInstrumentMysql2 = guardCreation('instrumentMysql2', rawInstrumentMysql2);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentPg: typeof rawInstrumentPg = guardCreation('instrumentPg', rawInstrumentPg);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentPGlite: typeof rawInstrumentPGlite = guardCreation('instrumentPGlite', rawInstrumentPGlite);
