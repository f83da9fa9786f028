import type { MeterProvider } from '@opentelemetry/api';
import { FAMILIES } from './catalog/instruments.ts';
import type { Family } from './catalog/types.ts';
import { AgentMeterConfigError } from './errors.ts';
import { LABEL_NAME, RESERVED_LABELS } from './safety/attributes.ts';
import type { AgentMeterOptions } from './types.ts';
import { performance } from 'node:perf_hooks';

export interface ResolvedOptions {
  readonly namespace: string;
  readonly meterProvider: MeterProvider | 'global' | undefined;
  readonly attributes: Readonly<Partial<Record<Family, readonly string[]>>>;
  readonly seriesLimit: number;
  readonly maxAttributeLength: number;
  readonly exemplars: boolean;
  readonly genAiMetrics: boolean;
  /** Whether an instrument (by catalog or custom name) keeps exponential buckets. */
  readonly exponential: (name: string) => boolean;
  readonly clock: () => number;
}

type Env = Readonly<Record<string, string | undefined>>;

function fail(message: string): never {
  throw new AgentMeterConfigError(message);
}

/** A short form of a bad option for the error message; hostile values (BigInt, throwing getters, proxies) cannot make it throw. */
function describe(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 80);
  } catch {
    return `a ${typeof value}`;
  }
}

function integerOption(name: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    fail(`${name} must be a whole number from ${min} to ${max}; got ${describe(value)}`);
  }
  return number;
}

/** The series limit per instrument: the option, else AGENTMETER_SERIES_LIMIT, else 2,000. */
export function resolveSeriesLimit(value: unknown, env: Env = process.env): number {
  return integerOption('seriesLimit', value ?? env['AGENTMETER_SERIES_LIMIT'], 1, 1_000_000, 2_000);
}

function resolveNamespace(value: unknown): string {
  if (typeof value !== 'string' || !/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/.test(value)) {
    fail(
      `namespace must start with a letter and hold only letters, digits and underscores (at most 63), like "agentmeter" or "digital_actors"; got ${describe(value)}`,
    );
  }
  return value;
}

function resolveAttributes(value: unknown): Partial<Record<Family, readonly string[]>> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('attributes must be an object from family to a list of keys, like { requests: ["scene", "character"] }');
  }
  const result: Partial<Record<Family, readonly string[]>> = {};
  for (const [family, keys] of Object.entries(value)) {
    if (!FAMILIES.includes(family as Family)) {
      fail(`attributes has an unknown family "${family.slice(0, 40)}"; families are: ${FAMILIES.join(', ')}`);
    }
    if (!Array.isArray(keys)) fail(`attributes.${family} must be an array of attribute keys`);
    for (const key of keys) {
      if (typeof key !== 'string' || !LABEL_NAME.test(key) || key.startsWith('__') || RESERVED_LABELS.has(key)) {
        fail(
          `attributes.${family} has an invalid key ${describe(key)}: keys must match [a-zA-Z_][a-zA-Z0-9_]*, not start with "__", and not be one of ${[...RESERVED_LABELS].join(', ')}`,
        );
      }
    }
    result[family as Family] = [...new Set(keys as string[])];
  }
  return result;
}

function resolveMeterProvider(value: unknown): MeterProvider | 'global' | undefined {
  if (value === undefined || value === 'global') return value;
  if (typeof value === 'object' && value !== null && typeof (value as MeterProvider).getMeter === 'function') {
    return value as MeterProvider;
  }
  fail('meterProvider must be an OpenTelemetry MeterProvider (an object with getMeter) or "global"');
}

function resolveBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  fail(`${name} must be true or false; got ${describe(value)}`);
}

const HISTOGRAM_AGGREGATIONS: Readonly<Record<string, boolean>> = {
  base2_exponential_bucket_histogram: true,
  explicit_bucket_histogram: false,
};

function resolveExponential(given: unknown, env: string | undefined): (name: string) => boolean {
  if (given === undefined) {
    const value = env?.trim().toLowerCase() ?? '';
    if (value === '') return () => false;
    const exponential = HISTOGRAM_AGGREGATIONS[value];
    if (exponential === undefined) {
      fail(
        `OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION must be base2_exponential_bucket_histogram or explicit_bucket_histogram; got ${describe(env)}`,
      );
    }
    return () => exponential;
  }
  if (typeof given === 'boolean') return () => given;
  if (!Array.isArray(given) || given.some((name) => typeof name !== 'string')) {
    fail(
      `exponentialHistograms must be true, false or a list of histogram names such as ['llm.latency']; got ${describe(given)}`,
    );
  }
  const names = new Set(given as readonly string[]);
  return (name) => names.has(name);
}

/** Validates options (and AGENTMETER_* environment variables) at creation; mistakes throw AgentMeterConfigError. */
export function resolveOptions(options: AgentMeterOptions | undefined, env: Env = process.env): ResolvedOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    fail('createAgentMeter takes an options object, or nothing');
  }
  const given = options ?? {};
  const clock = given.clock ?? (() => performance.now());
  if (typeof clock !== 'function') fail('clock must be a function returning milliseconds');
  return {
    namespace: resolveNamespace(given.namespace ?? env['AGENTMETER_NAMESPACE'] ?? 'agentmeter'),
    meterProvider: resolveMeterProvider(given.meterProvider),
    attributes: resolveAttributes(given.attributes),
    seriesLimit: resolveSeriesLimit(given.seriesLimit, env),
    maxAttributeLength: integerOption('maxAttributeLength', given.maxAttributeLength, 1, 4_096, 128),
    exemplars: resolveBoolean('exemplars', given.exemplars ?? env['AGENTMETER_EXEMPLARS'], true),
    exponential: resolveExponential(
      given.exponentialHistograms,
      env['OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION'],
    ),
    genAiMetrics: resolveBoolean(
      'genAiMetrics',
      given.genAiMetrics ?? env['AGENTMETER_GENAI_METRICS']?.trim().toLowerCase(),
      true,
    ),
    clock,
  };
}
