import { AgentMeterConfigError, classifyError, type AgentMeter, type ErrorType } from '@agentmeter/core';
import type { HealthCheck } from './checks.ts';

export interface HealthOptions {
  /** Dependency checks by name (the name is the `dependency` label and the key in the response). */
  readonly checks?: Readonly<Record<string, HealthCheck | ((signal: AbortSignal) => unknown)>>;
  /** Default timeout of each check in milliseconds (default 2000). */
  readonly timeoutMs?: number;
  /** Milliseconds between two rounds of checks; requests are answered from the last completed round (default 10000). */
  readonly intervalMs?: number;
}

/** What one round of checks found, with whatever the owner adds to it (session figures). */
export interface HealthRound<Extra> {
  readonly dependencies: Record<string, DependencyStatus>;
  readonly extra: Extra;
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
const DEFAULT_INTERVAL_MS = 10_000;

function fail(message: string): never {
  throw new AgentMeterConfigError(`@agentmeter/prometheus: ${message}`);
}

function validMillis(value: unknown, where: string, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 600_000) {
    fail(`${where}.${option} must be a number of milliseconds between 1 and 600000; got ${String(value)}`);
  }
  return value;
}

function normalize(options: HealthOptions | undefined): NormalizedCheck[] {
  const fallback = validMillis(options?.timeoutMs, 'health', 'timeoutMs') ?? DEFAULT_TIMEOUT_MS;
  const checks = options?.checks ?? {};
  if (typeof checks !== 'object' || checks === null) fail('health.checks must be an object of name → check');
  return Object.entries(checks).map(([name, given]) => {
    if (!/^[a-zA-Z_][a-zA-Z0-9_.-]{0,63}$/.test(name)) {
      fail(`health.checks: dependency names must be 1-64 letters, digits, _ . - (starting with a letter or _); got ${JSON.stringify(name.slice(0, 80))}`);
    }
    const spec: HealthCheck | undefined = typeof given === 'function' ? { check: given } : given;
    if (typeof spec?.check !== 'function') {
      fail(`health.checks.${name}: expected a function or { check(signal) }, e.g. postgresCheck(pool)`);
    }
    return {
      name, check: spec.check.bind(spec), required: spec.required ?? true,
      timeoutMs: validMillis(spec.timeoutMs, `health.checks.${name}`, 'timeoutMs') ?? fallback,
    };
  });
}

/**
 * Runs dependency checks in rounds, on their own interval: every check of a round in parallel,
 * each bounded by its own timeout, each result recorded as agentmeter_health_check_status and
 * _duration through the meter. Requests read the last completed round, so however often
 * `/api/health` is asked, checks run once per interval; only the first request waits for the
 * first round. The loop starts with that first request and stops at `stop()`.
 */
export class HealthRunner<Extra> {
  readonly #checks: NormalizedCheck[];
  readonly #meter: AgentMeter | undefined;
  readonly #intervalMs: number;
  readonly #extra: () => Promise<Extra>;
  #running: Promise<HealthRound<Extra>> | undefined;
  #last: HealthRound<Extra> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: HealthOptions | undefined, meter: AgentMeter | undefined, extra: () => Promise<Extra>) {
    this.#checks = normalize(options);
    this.#intervalMs = validMillis(options?.intervalMs, 'health', 'intervalMs') ?? DEFAULT_INTERVAL_MS;
    this.#meter = meter;
    this.#extra = extra;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** The last completed round; the first call runs one (concurrent callers share it) and starts the loop. */
  latest(): Promise<HealthRound<Extra>> {
    if (this.#last !== undefined) return Promise.resolve(this.#last);
    return this.run();
  }

  /** Runs a round now (shared with a round already running). */
  run(): Promise<HealthRound<Extra>> {
    this.#running ??= this.#runAll().then((round) => {
      this.#last = round;
      return round;
    }).finally(() => {
      this.#running = undefined;
      this.#schedule();
    });
    return this.#running;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.run().catch(() => {
        // #runAll never rejects: each check's failure is its status.
      });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async #runAll(): Promise<HealthRound<Extra>> {
    const [results, extra] = await Promise.all([Promise.all(this.#checks.map((check) => this.#runOne(check))), this.#extra()]);
    const dependencies: Record<string, DependencyStatus> = {};
    for (const [i, check] of this.#checks.entries()) dependencies[check.name] = results[i]!;
    return { dependencies, extra };
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
