import { AgentMeterConfigError } from '@agentmeter/core';
import { show } from '../endpoint.ts';
import type { CheckOptions, HealthCheck } from './checks.ts';

/** The `health` option of PrometheusExporter (and of `start()`). */
export interface HealthOptions {
  /** Dependency checks by name (the name is the `dependency` label and the key in the response). */
  readonly checks?: Readonly<Record<string, HealthCheck | ((signal: AbortSignal) => unknown)>>;
  /** Default timeout of each check in milliseconds (default 2000). */
  readonly timeoutMs?: number;
  /** Milliseconds between two rounds of checks; requests are answered from the last completed round (default 10000). */
  readonly intervalMs?: number;
}

/** One check as the runner runs it. */
export interface NormalizedCheck {
  readonly name: string;
  readonly check: (signal: AbortSignal) => unknown;
  readonly required: boolean;
  readonly timeoutMs: number;
}

export interface NormalizedHealth {
  readonly checks: NormalizedCheck[];
  readonly intervalMs: number;
}

const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_INTERVAL_MS = 10_000;

export function fail(message: string): never {
  throw new AgentMeterConfigError(`@agentmeter/prometheus: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function validMillis(value: unknown, where: string, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 600_000) {
    fail(
      `${where}.${option} must be a number of milliseconds between 1 and 600000; got ${typeof value === 'number' ? String(value) : show(value)}`,
    );
  }
  return value;
}

function validRequired(value: unknown, where: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean')
    fail(`${where}.required must be true or false; got ${show(value)}`);
  return value;
}

/** The options every built-in check takes (`required`, `timeoutMs`), checked when the check is made. */
export function checkOptions(options: unknown, where: string): CheckOptions {
  return guarded(where, () => {
    if (options === undefined) return {};
    if (!isRecord(options)) fail(`${where}: options must be an object; got ${show(options)}`);
    const required = validRequired(options['required'], where);
    const timeoutMs = validMillis(options['timeoutMs'], where, 'timeoutMs');
    return { ...(required !== undefined && { required }), ...(timeoutMs !== undefined && { timeoutMs }) };
  });
}

/**
 * Runs `read`; an error other than a configuration error (a throwing getter, a proxy, a value
 * that cannot be converted) becomes one that names `where`, so bad options never surface as a
 * TypeError from inside the exporter.
 */
export function guarded<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof AgentMeterConfigError) throw error;
    throw new AgentMeterConfigError(
      `@agentmeter/prometheus: ${where} could not be read: ${error instanceof Error ? error.message : show(error)}`,
      { cause: error },
    );
  }
}

function normalizeCheck(name: string, given: unknown, fallback: number): NormalizedCheck {
  const where = `health.checks.${name}`;
  if (!/^[a-zA-Z_][a-zA-Z0-9_.-]{0,63}$/.test(name)) {
    fail(
      `health.checks: dependency names must be 1-64 letters, digits, _ . - (starting with a letter or _); got ${show(name.slice(0, 80))}`,
    );
  }
  const spec = typeof given === 'function' ? { check: given } : given;
  if (!isRecord(spec) || typeof spec['check'] !== 'function') {
    fail(`${where}: expected a function or { check(signal) }, e.g. postgresCheck(pool); got ${show(given)}`);
  }
  const check = (spec['check'] as (signal: AbortSignal) => unknown).bind(spec);
  return {
    name,
    check,
    required: validRequired(spec['required'], where) ?? true,
    timeoutMs: validMillis(spec['timeoutMs'], where, 'timeoutMs') ?? fallback,
  };
}

/** Validates the `health` option; every mistake is an AgentMeterConfigError naming the option. */
export function normalizeHealth(options: unknown): NormalizedHealth {
  return guarded('health', () => {
    if (options === undefined) return { checks: [], intervalMs: DEFAULT_INTERVAL_MS };
    if (!isRecord(options)) fail(`health must be an object { checks, timeoutMs, intervalMs }; got ${show(options)}`);
    const fallback = validMillis(options['timeoutMs'], 'health', 'timeoutMs') ?? DEFAULT_TIMEOUT_MS;
    const intervalMs = validMillis(options['intervalMs'], 'health', 'intervalMs') ?? DEFAULT_INTERVAL_MS;
    const checks = options['checks'] === undefined ? {} : options['checks'];
    if (!isRecord(checks)) fail(`health.checks must be an object of name → check; got ${show(checks)}`);
    return { checks: Object.entries(checks).map(([name, given]) => normalizeCheck(name, given, fallback)), intervalMs };
  });
}
