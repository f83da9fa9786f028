import { classifyError, type AgentMeter, type ErrorType } from '@agentmeter/core';
import type { HealthCheck } from './checks.ts';

export interface HealthOptions {
  /** Dependency checks by name (the name is the `dependency` label and the key in the response). */
  readonly checks?: Readonly<Record<string, HealthCheck | ((signal: AbortSignal) => unknown)>>;
  /** Default timeout of each check in milliseconds (default 2000). */
  readonly timeoutMs?: number;
}

/** One dependency in the `/api/health` response. */
export interface DependencyStatus {
  readonly status: 'healthy' | 'unhealthy';
  readonly required: boolean;
  readonly latency_ms: number;
  /** When this check finished (ISO 8601). */
  readonly last_check: string;
  /** Why it failed, in agentmeter's error taxonomy (`timeout`, `connection`, ...). */
  readonly error?: ErrorType;
}

interface NormalizedCheck {
  readonly name: string;
  readonly check: (signal: AbortSignal) => unknown;
  readonly required: boolean;
  readonly timeoutMs: number;
}

const TIMED_OUT: unique symbol = Symbol('timed out');
const DEFAULT_TIMEOUT_MS = 2000;

function validTimeout(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 600_000) {
    throw new TypeError(`${where}: timeoutMs must be a number of milliseconds between 1 and 600000; got ${String(value)}`);
  }
  return value;
}

function normalize(options: HealthOptions | undefined): NormalizedCheck[] {
  const fallback = validTimeout(options?.timeoutMs, 'health') ?? DEFAULT_TIMEOUT_MS;
  const checks = options?.checks ?? {};
  if (typeof checks !== 'object' || checks === null) throw new TypeError('health.checks must be an object of name → check');
  return Object.entries(checks).map(([name, given]) => {
    if (!/^[a-zA-Z_][a-zA-Z0-9_.-]{0,63}$/.test(name)) {
      throw new TypeError(`health.checks: dependency names must be 1-64 letters, digits, _ . - (starting with a letter or _); got ${JSON.stringify(name.slice(0, 80))}`);
    }
    const spec: HealthCheck | undefined = typeof given === 'function' ? { check: given } : given;
    if (typeof spec?.check !== 'function') {
      throw new TypeError(`health.checks.${name}: expected a function or { check(signal) }, e.g. postgresCheck(pool)`);
    }
    return {
      name, check: spec.check.bind(spec), required: spec.required ?? true,
      timeoutMs: validTimeout(spec.timeoutMs, `health.checks.${name}`) ?? fallback,
    };
  });
}

/**
 * Runs dependency checks in parallel, each bounded by its timeout, and records each result as
 * agentmeter_health_check_status and _duration through the meter. Concurrent calls share one run.
 */
export class HealthRunner {
  readonly #checks: NormalizedCheck[];
  readonly #meter: AgentMeter | undefined;
  #running: Promise<Record<string, DependencyStatus>> | undefined;

  constructor(options: HealthOptions | undefined, meter: AgentMeter | undefined) {
    this.#checks = normalize(options);
    this.#meter = meter;
  }

  run(): Promise<Record<string, DependencyStatus>> {
    this.#running ??= this.#runAll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #runAll(): Promise<Record<string, DependencyStatus>> {
    const results = await Promise.all(this.#checks.map((check) => this.#runOne(check)));
    const dependencies: Record<string, DependencyStatus> = {};
    for (const [i, check] of this.#checks.entries()) dependencies[check.name] = results[i]!;
    return dependencies;
  }

  async #runOne(check: NormalizedCheck): Promise<DependencyStatus> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error(`health check ${check.name} timed out`));
        resolve(TIMED_OUT);
      }, check.timeoutMs);
    });
    const started = performance.now();
    let error: ErrorType | undefined;
    try {
      const result = await Promise.race([Promise.resolve().then(() => check.check(controller.signal)), timeout]);
      if (result === TIMED_OUT) error = 'timeout';
      else if (result === false) error = 'other';
    } catch (caught) {
      error = classifyError(caught);
    } finally {
      clearTimeout(timer);
    }
    const seconds = (performance.now() - started) / 1000;
    const healthy = error === undefined;
    this.#meter?.recordHealthCheck(check.name, healthy, seconds);
    return {
      status: healthy ? 'healthy' : 'unhealthy', required: check.required,
      latency_ms: Math.round(seconds * 1e4) / 10, last_check: new Date().toISOString(),
      ...(error !== undefined && { error }),
    };
  }
}
