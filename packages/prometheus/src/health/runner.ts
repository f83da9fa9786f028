import { classifyError, type AgentMeter, type ErrorType } from '@agentmeter/core';
import { normalizeHealth, type HealthOptions, type NormalizedCheck } from './options.ts';

export type { HealthOptions } from './options.ts';

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

const TIMED_OUT: unique symbol = Symbol('timed out');

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
    const { checks, intervalMs } = normalizeHealth(options);
    this.#checks = checks;
    this.#intervalMs = intervalMs;
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
    this.#running ??= this.#runAll()
      .then((round) => {
        this.#last = round;
        return round;
      })
      .finally(() => {
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
    const [results, extra] = await Promise.all([
      Promise.all(this.#checks.map((check) => this.#runOne(check))),
      this.#extra(),
    ]);
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
      status: healthy ? 'healthy' : 'unhealthy',
      required: check.required,
      latency_ms: Math.round(seconds * 1e4) / 10,
      last_check: new Date().toISOString(),
      ...(error !== undefined && { error }),
    };
  }
}
