import { AgentMeterConfigError } from '@agentmeter/core';
/**
 * A dependency check. `check` resolves (to anything but `false`) when the dependency is healthy
 * and rejects, throws or resolves `false` when it is not. It gets an AbortSignal that fires at
 * the timeout.
 */
export interface HealthCheck {
  check(signal: AbortSignal): unknown;
  /** A failing required dependency makes /api/health answer 503 (default true). */
  readonly required?: boolean;
  /** Milliseconds before the check counts as failed (default: the health option's timeoutMs, 2000). */
  readonly timeoutMs?: number;
}

/** Options every built-in check takes. */
export interface CheckOptions {
  readonly required?: boolean;
  readonly timeoutMs?: number;
}

/** Anything with a promise-returning `query(sql)`: a pg Pool or Client, a mysql2/promise pool or connection. */
export interface QueryClient {
  query(sql: string): PromiseLike<unknown>;
}
/** Anything with a promise-returning `ping()`: ioredis, node-redis v4+. */
export interface PingClient {
  ping(): PromiseLike<unknown>;
}

function requireMethod(client: unknown, method: string, what: string, name: string): void {
  if (typeof (client as Record<string, unknown> | null | undefined)?.[method] !== 'function') {
    throw new AgentMeterConfigError(`${name}: expected ${what} with a ${method}() method; got ${client === null ? 'null' : typeof client}`);
  }
}

function withOptions(check: (signal: AbortSignal) => unknown, options: CheckOptions | undefined): HealthCheck {
  return { check, ...(options?.required !== undefined && { required: options.required }), ...(options?.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }) };
}

/** PostgreSQL: runs `select 1` through a pg Pool or Client (or anything with a promise `query`). */
export function postgresCheck(client: QueryClient, options?: CheckOptions): HealthCheck {
  requireMethod(client, 'query', 'a pg Pool or Client', 'postgresCheck');
  return withOptions(() => client.query('select 1'), options);
}

/** MySQL or MariaDB: runs `select 1` through a mysql2/promise pool or connection. */
export function mysqlCheck(client: QueryClient, options?: CheckOptions): HealthCheck {
  requireMethod(client, 'query', 'a mysql2/promise pool or connection (use pool.promise() for callback pools)', 'mysqlCheck');
  return withOptions(() => client.query('select 1'), options);
}

/** Redis: sends PING through an ioredis or node-redis client. */
export function redisCheck(client: PingClient, options?: CheckOptions): HealthCheck {
  requireMethod(client, 'ping', 'an ioredis or node-redis client', 'redisCheck');
  return withOptions(() => client.ping(), options);
}

export interface HttpCheckOptions extends CheckOptions {
  /** Request method (default GET). */
  readonly method?: 'GET' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>>;
  /** Which statuses count as healthy (default: below 500, since a 401 or 404 still proves the service answers). */
  readonly healthyStatus?: (status: number) => boolean;
}

/** An HTTP URL: healthy when it answers with a healthy status before the timeout. */
export function httpCheck(url: string | URL, options?: HttpCheckOptions): HealthCheck {
  let target: URL;
  try {
    target = new URL(url);
  } catch (error) {
    throw new AgentMeterConfigError(`httpCheck: expected an absolute http(s) URL; got ${typeof url === 'string' ? JSON.stringify(url.slice(0, 100)) : typeof url}`, { cause: error });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new AgentMeterConfigError(`httpCheck: expected an http: or https: URL; got ${target.protocol}`);
  }
  const healthy = options?.healthyStatus ?? ((status: number) => status < 500);
  return withOptions(async (signal) => {
    const response = await fetch(target, { method: options?.method ?? 'GET', headers: options?.headers, signal, redirect: 'manual' });
    await response.body?.cancel();
    if (!healthy(response.status)) throw Object.assign(new Error(`status ${response.status}`), { status: response.status });
  }, options);
}
