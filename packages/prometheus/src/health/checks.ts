import { AgentMeterConfigError } from '@agentmeter/core';
import { show } from '../endpoint.ts';
import { checkOptions, fail, guarded } from './options.ts';

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
  const has = guarded(
    name,
    () => typeof (client as Record<string, unknown> | null | undefined)?.[method] === 'function',
  );
  if (!has)
    fail(`${name}: expected ${what} with a ${method}() method; got ${client === null ? 'null' : typeof client}`);
}

function withOptions(check: (signal: AbortSignal) => unknown, options: CheckOptions): HealthCheck {
  return { check, ...options };
}

/** PostgreSQL: runs `select 1` through a pg Pool or Client (or anything with a promise `query`). */
export function postgresCheck(client: QueryClient, options?: CheckOptions): HealthCheck {
  requireMethod(client, 'query', 'a pg Pool or Client', 'postgresCheck');
  const checked = checkOptions(options, 'postgresCheck');
  return withOptions(() => client.query('select 1'), checked);
}

/** MySQL or MariaDB: runs `select 1` through a mysql2/promise pool or connection. */
export function mysqlCheck(client: QueryClient, options?: CheckOptions): HealthCheck {
  requireMethod(
    client,
    'query',
    'a mysql2/promise pool or connection (use pool.promise() for callback pools)',
    'mysqlCheck',
  );
  const checked = checkOptions(options, 'mysqlCheck');
  return withOptions(() => client.query('select 1'), checked);
}

/** Redis: sends PING through an ioredis or node-redis client. */
export function redisCheck(client: PingClient, options?: CheckOptions): HealthCheck {
  requireMethod(client, 'ping', 'an ioredis or node-redis client', 'redisCheck');
  const checked = checkOptions(options, 'redisCheck');
  return withOptions(() => client.ping(), checked);
}

export interface HttpCheckOptions extends CheckOptions {
  /** Request method (default GET). */
  readonly method?: 'GET' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>>;
  /** Which statuses count as healthy (default: below 500, since a 401 or 404 still proves the service answers). */
  readonly healthyStatus?: (status: number) => boolean;
}

function httpOptions(
  options: HttpCheckOptions | undefined,
): Pick<HttpCheckOptions, 'method' | 'headers'> & { healthy: (status: number) => boolean } {
  const method = options?.method;
  if (method !== undefined && method !== 'GET' && method !== 'HEAD')
    fail(`httpCheck.method must be GET or HEAD; got ${show(method)}`);
  const given = options?.healthyStatus;
  if (given !== undefined && typeof given !== 'function')
    fail(`httpCheck.healthyStatus must be a function (status) => boolean; got ${show(given)}`);
  const headers = options?.headers;
  if (
    headers !== undefined &&
    (typeof headers !== 'object' ||
      headers === null ||
      Object.values(headers).some((value) => typeof value !== 'string'))
  ) {
    fail(`httpCheck.headers must be an object of header name → string; got ${show(headers)}`);
  }
  return { method, headers, healthy: given ?? ((status: number) => status < 500) };
}

/** An HTTP URL: healthy when it answers with a healthy status before the timeout. */
export function httpCheck(url: string | URL, options?: HttpCheckOptions): HealthCheck {
  let target: URL;
  try {
    target = new URL(url);
  } catch (error) {
    throw new AgentMeterConfigError(
      `@agentmeter/prometheus: httpCheck: expected an absolute http(s) URL; got ${typeof url === 'string' ? JSON.stringify(url.slice(0, 100)) : typeof url}`,
      { cause: error },
    );
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    fail(`httpCheck: expected an http: or https: URL; got ${target.protocol}`);
  const checked = checkOptions(options, 'httpCheck');
  const { method, headers, healthy } = guarded('httpCheck', () => httpOptions(options));
  return withOptions(async (signal) => {
    const response = await fetch(target, { method: method ?? 'GET', headers, signal, redirect: 'manual' });
    await response.body?.cancel();
    if (!healthy(response.status))
      throw Object.assign(new Error(`status ${response.status}`), { status: response.status });
  }, checked);
}
