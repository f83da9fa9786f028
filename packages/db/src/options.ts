import { AgentMeterConfigError, type AgentMeter } from '@agentmeter/core';
import { metrics, type MeterProvider } from '@opentelemetry/api';
import type { CacheInstrumentOptions, DbInstrumentOptions } from './types.ts';

const LABEL = /^[A-Za-z0-9_.:-]{1,64}$/;
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

function fail(wrapper: string, message: string): never {
  throw new AgentMeterConfigError(`${wrapper}: ${message}`);
}

function label(wrapper: string, name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !LABEL.test(value)) {
    fail(wrapper, `options.${name} must be 1 to 64 letters, digits or _.:- (got ${describe(value)})`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'object' || typeof value === 'function') {
    let name: unknown;
    try {
      name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    } catch {
      name = undefined; // A proxy or getter that throws is described by its type.
    }
    return typeof name === 'string' && name !== '' ? `a ${name}` : `a ${typeof value}`;
  }
  return String(value);
}

function isMeter(value: unknown): value is AgentMeter {
  const meter = value as Partial<AgentMeter> | null | undefined;
  return typeof meter === 'object' && meter !== null && typeof meter.instruments === 'object'
    && typeof meter.onCollect === 'function' && typeof meter.recordCacheOperation === 'function';
}

/** Validates wrapper options at wrap time; the message names the wrapper and what to change. */
export function resolveOptions(
  wrapper: string,
  options: DbInstrumentOptions | CacheInstrumentOptions | undefined,
  defaultSystem: string,
): ResolvedDbOptions {
  if (typeof options !== 'object' || options === null) {
    fail(wrapper, `pass options with a meter: ${wrapper}(client, { meter }) (got ${describe(options)})`);
  }
  if (!isMeter(options.meter)) {
    fail(wrapper, `options.meter must be an AgentMeter from createAgentMeter() (got ${describe(options.meter)})`);
  }
  const maxTables = options.maxTables ?? DEFAULT_MAX_TABLES;
  if (typeof maxTables !== 'number' || !Number.isInteger(maxTables) || maxTables < 0 || maxTables > 10_000) {
    fail(wrapper, `options.maxTables must be an integer from 0 to 10000 (got ${describe(maxTables)})`);
  }
  if (options.tables !== undefined && typeof options.tables !== 'boolean') {
    fail(wrapper, `options.tables must be true or false (got ${describe(options.tables)})`);
  }
  const semconv = options.semconv;
  let provider: MeterProvider | undefined;
  if (semconv === 'global') provider = metrics.getMeterProvider();
  else if (semconv !== undefined) {
    if (typeof (semconv as Partial<MeterProvider> | null)?.getMeter !== 'function') {
      fail(wrapper, `options.semconv must be an OpenTelemetry MeterProvider or 'global' (got ${describe(semconv)})`);
    }
    provider = semconv;
  }
  return {
    meter: options.meter,
    dbSystem: label(wrapper, 'dbSystem', options.dbSystem, defaultSystem),
    pool: label(wrapper, 'pool', options.pool, 'default'),
    tables: options.tables ?? true,
    maxTables,
    semconv: provider,
    cache: label(wrapper, 'cache', (options as CacheInstrumentOptions).cache, 'redis'),
  };
}

/** Fails at wrap time when the client is not what the wrapper instruments. */
export function unsupported(wrapper: string, client: unknown, expected: string): never {
  fail(wrapper, `expected ${expected}, got ${describe(client)}; pass the client object itself, not a module or a promise of it`);
}
