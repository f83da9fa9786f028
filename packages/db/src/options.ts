import type { AgentMeter } from '@agentmeter/core';
import { configFail, describeValue, labelOption, requireMeter, resolveSemconv } from '@agentmeter/core/internal';
import { metrics, type MeterProvider } from '@opentelemetry/api';
import type { CacheInstrumentOptions, DbInstrumentOptions } from './types.ts';

const DEFAULT_MAX_TABLES = 100;

/** Options after validation: every field present. */
export interface ResolvedDbOptions {
  readonly meter: AgentMeter;
  readonly dbSystem: string;
  readonly pool: string;
  readonly tables: boolean;
  readonly maxTables: number;
  readonly semconv: MeterProvider | undefined;
  readonly cache: string;
}

/** Validates wrapper options at wrap time; the message names the wrapper and what to change. */
export function resolveOptions(
  wrapper: string,
  options: DbInstrumentOptions | CacheInstrumentOptions | undefined,
  defaultSystem: string,
): ResolvedDbOptions {
  requireMeter(wrapper, options);
  const maxTables = options.maxTables ?? DEFAULT_MAX_TABLES;
  if (typeof maxTables !== 'number' || !Number.isInteger(maxTables) || maxTables < 0 || maxTables > 10_000) {
    configFail(wrapper, `options.maxTables must be an integer from 0 to 10000 (got ${describeValue(maxTables)})`);
  }
  if (options.tables !== undefined && typeof options.tables !== 'boolean') {
    configFail(wrapper, `options.tables must be true or false (got ${describeValue(options.tables)})`);
  }
  const semconv = resolveSemconv(wrapper, options.semconv, false);
  return {
    meter: options.meter,
    dbSystem: labelOption(wrapper, 'dbSystem', options.dbSystem, defaultSystem),
    pool: labelOption(wrapper, 'pool', options.pool, 'default'),
    tables: options.tables ?? true,
    maxTables,
    semconv: semconv === 'global' ? metrics.getMeterProvider() : semconv,
    cache: labelOption(wrapper, 'cache', (options as CacheInstrumentOptions).cache, 'redis'),
  };
}

/** Fails at wrap time when the client is not what the wrapper instruments. */
export function unsupported(wrapper: string, client: unknown, expected: string): never {
  configFail(
    wrapper,
    `expected ${expected}, got ${describeValue(client)}; pass the client object itself, not a module or a promise of it`,
  );
}
