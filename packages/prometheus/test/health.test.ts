import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { AgentMeterConfigError } from '@agentmeter/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpCheck, mysqlCheck, postgresCheck, redisCheck, type HealthCheck } from '../src/index.ts';
import { parseExposition, valueOf } from './support/parse.ts';
import { setup, type Setup } from './support/fixtures.ts';
import { rawRequest } from './support/http.ts';

let pool: pg.Pool;
let deadPool: pg.Pool;
let mysqlPool: mysql.Pool;
let redis: Redis;
let web: Server;
let webUrl: string;

beforeAll(async () => {
  pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 2 });
  // Nothing listens on port 1: connecting fails at once with ECONNREFUSED.
  deadPool = new pg.Pool({ host: '127.0.0.1', port: 1, user: 'postgres', database: 'test', max: 1 });
  mysqlPool = mysql.createPool({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test', connectionLimit: 2 });
  redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
  web = createServer((req, res) => {
    res.statusCode = Number(req.url?.slice(1)) || 200;
    res.end('ok');
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all([
    pool.end(),
    deadPool.end(),
    mysqlPool.end(),
    redis.quit(),
    new Promise((resolve) => web.close(resolve)),
  ]);
});

let current: Setup | undefined;
afterEach(async () => {
  await current?.provider.shutdown();
  current = undefined;
});

describe('/api/health', () => {
  it("checks PostgreSQL, MySQL, Redis and an HTTP URL, and answers 200 in the guide's shape", async () => {
    current = setup({
      health: {
        checks: {
          database: postgresCheck(pool),
          mysql: mysqlCheck(mysqlPool),
          redis: redisCheck(redis),
          claude_api: httpCheck(`${webUrl}/200`),
          whisper_api: httpCheck(`${webUrl}/404`),
        },
      },
    });
    current.meter.startSession();
    current.meter.startSession();
    current.meter.instruments.websocketConnectionsActive.add(3);
    const response = await rawRequest(`${await current.exporter.start()}/api/health`);
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body.toString());
    expect(Object.keys(body)).toEqual(['status', 'timestamp', 'dependencies', 'metrics']);
    expect(body.status).toBe('healthy');
    expect(Object.keys(body.dependencies)).toEqual(['database', 'mysql', 'redis', 'claude_api', 'whisper_api']);
    for (const dependency of Object.values(body.dependencies) as Record<string, unknown>[]) {
      expect(Object.keys(dependency)).toEqual(['status', 'required', 'latency_ms', 'last_check']);
      expect(dependency['status']).toBe('healthy');
      expect(dependency['latency_ms']).toBeGreaterThanOrEqual(0);
      expect(Date.parse(dependency['last_check'] as string)).not.toBeNaN();
    }
    expect(body.metrics.active_sessions).toBe(2);
    expect(body.metrics.active_websockets).toBe(3);
    expect(Number.isInteger(body.metrics.uptime_seconds)).toBe(true);
  });

  it('answers 503 when a required dependency fails, and records the health_check metrics', async () => {
    current = setup({ health: { checks: { database: postgresCheck(deadPool), redis: redisCheck(redis) } } });
    const url = await current.exporter.start();
    const response = await rawRequest(`${url}/api/health`);
    expect(response.status).toBe(503);
    const body = JSON.parse(response.body.toString());
    expect(body.status).toBe('unhealthy');
    expect(body.dependencies.database).toMatchObject({ status: 'unhealthy', required: true, error: 'connection' });
    expect(body.dependencies.redis.status).toBe('healthy');
    const parsed = parseExposition(await current.exporter.scrape(), 'text');
    expect(valueOf(parsed, 'agentmeter_health_check_status', { dependency: 'database' })).toBe(0);
    expect(valueOf(parsed, 'agentmeter_health_check_status', { dependency: 'redis' })).toBe(1);
    expect(
      valueOf(parsed, 'agentmeter_health_check_duration_seconds_count', {
        dependency: 'database',
        status: 'unhealthy',
      }),
    ).toBe(1);
    expect(
      valueOf(parsed, 'agentmeter_health_check_duration_seconds_count', { dependency: 'redis', status: 'healthy' }),
    ).toBe(1);
  });

  it('answers 200 degraded when only an optional dependency fails', async () => {
    current = setup({
      health: { checks: { database: postgresCheck(pool), cache: { ...postgresCheck(deadPool), required: false } } },
    });
    const report = await current.exporter.health();
    expect(report.status).toBe('degraded');
    const response = await rawRequest(`${await current.exporter.start()}/api/health`);
    expect(response.status).toBe(200);
  });

  it('times a hanging check out, aborting its signal', async () => {
    let aborted = false;
    const hanging: HealthCheck = {
      timeoutMs: 50,
      check: (signal) =>
        new Promise(() =>
          signal.addEventListener('abort', () => {
            aborted = true;
          }),
        ),
    };
    current = setup({ health: { checks: { slow: hanging } } });
    const report = await current.exporter.health();
    expect(report.dependencies['slow']).toMatchObject({ status: 'unhealthy', error: 'timeout' });
    expect(aborted).toBe(true);
  });

  it('classifies failures: HTTP 500, false, a thrown error', async () => {
    current = setup({
      health: {
        checks: {
          api: httpCheck(`${webUrl}/500`),
          flag: () => false,
          thrower: () => {
            throw new Error('boom');
          },
          custom: { check: () => true, required: false },
          strict: httpCheck(`${webUrl}/404`, { healthyStatus: (status) => status === 200 }),
        },
      },
    });
    const { dependencies } = await current.exporter.health();
    expect(
      Object.fromEntries(
        Object.entries(dependencies).map(([name, dependency]) => [name, [dependency.status, dependency.error]]),
      ),
    ).toEqual({
      api: ['unhealthy', 'server_error'],
      flag: ['unhealthy', 'other'],
      thrower: ['unhealthy', 'other'],
      custom: ['healthy', undefined],
      strict: ['unhealthy', 'bad_request'],
    });
  });

  it('shares one run between concurrent requests', async () => {
    let runs = 0;
    current = setup({
      health: {
        checks: {
          counted: async () => {
            runs++;
            await new Promise((resolve) => setTimeout(resolve, 20));
          },
        },
      },
    });
    await Promise.all([current.exporter.health(), current.exporter.health(), current.exporter.health()]);
    expect(runs).toBe(1);
  });

  it('rejects clients and URLs the built-ins cannot use, with AgentMeterConfigError', () => {
    const cases: [() => unknown, RegExp][] = [
      [
        () => postgresCheck(null as never),
        /postgresCheck: expected a pg Pool or Client with a query\(\) method; got null/,
      ],
      [() => mysqlCheck({} as never), /mysqlCheck: expected a mysql2\/promise pool/],
      [
        () => redisCheck({ get: () => 1 } as never),
        /redisCheck: expected an ioredis or node-redis client with a ping\(\) method/,
      ],
      [
        () =>
          redisCheck(
            new Proxy(
              {},
              {
                get: () => {
                  throw new Error('hostile');
                },
              },
            ) as never,
          ),
        /redisCheck could not be read: hostile/,
      ],
      [() => httpCheck('not a url'), /httpCheck: expected an absolute http\(s\) URL/],
      [() => httpCheck(42 as never), /httpCheck: expected an absolute http\(s\) URL; got number/],
      [() => httpCheck('ftp://example.com'), /expected an http: or https: URL; got ftp:/],
      [() => httpCheck(webUrl, { method: 'POST' as never }), /httpCheck.method must be GET or HEAD; got "POST"/],
      [() => httpCheck(webUrl, { headers: { a: 1 } as never }), /httpCheck.headers must be an object/],
      [() => httpCheck(webUrl, { healthyStatus: 200 as never }), /httpCheck.healthyStatus must be a function/],
      [
        () => postgresCheck(pool, { timeoutMs: Number.NaN }),
        /postgresCheck.timeoutMs must be a number of milliseconds between 1 and 600000; got NaN/,
      ],
      [() => postgresCheck(pool, { timeoutMs: -5 }), /postgresCheck.timeoutMs/],
      [
        () => mysqlCheck(mysqlPool, { required: 'yes' as never }),
        /mysqlCheck.required must be true or false; got "yes"/,
      ],
      [() => redisCheck(redis, 'fast' as never), /redisCheck: options must be an object; got "fast"/],
    ];
    for (const [make, message] of cases) {
      expect(make).toThrow(AgentMeterConfigError);
      expect(make).toThrow(message);
    }
  });

  it('rejects bad health options with AgentMeterConfigError naming the option, never a TypeError', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new TypeError('hostile getter');
        },
        ownKeys: () => {
          throw new TypeError('hostile keys');
        },
      },
    );
    const cases: [unknown, RegExp][] = [
      [5, /health must be an object \{ checks, timeoutMs, intervalMs \}; got 5/],
      ['postgres', /health must be an object/],
      [null, /health must be an object/],
      [[() => 1], /health must be an object/],
      [{ checks: null }, /health.checks must be an object of name → check; got null/],
      [{ checks: [() => 1] }, /health.checks must be an object/],
      [{ checks: 'db' }, /health.checks must be an object/],
      [{ checks: { db: null } }, /health.checks.db: expected a function or \{ check\(signal\) \}/],
      [{ checks: { db: { check: 'select 1' } } }, /health.checks.db: expected a function/],
      [
        { checks: { db: { check: () => 1, required: 'yes' } } },
        /health.checks.db.required must be true or false; got "yes"/,
      ],
      [{ checks: { db: { check: () => 1, timeoutMs: Number.POSITIVE_INFINITY } } }, /health.checks.db.timeoutMs/],
      [{ checks: { 'no spaces': () => 1 } }, /dependency names must be 1-64 letters/],
      [{ checks: { ['x'.repeat(100_000)]: () => 1 } }, /dependency names must be 1-64 letters/],
      [{ timeoutMs: Number.NaN }, /health.timeoutMs must be a number of milliseconds/],
      [{ timeoutMs: -1 }, /health.timeoutMs/],
      [{ intervalMs: '10s' }, /health.intervalMs must be a number of milliseconds/],
      [{ intervalMs: 10n }, /health.intervalMs/],
      [
        {
          get checks() {
            throw new Error('boom');
          },
        },
        /health could not be read: boom/,
      ],
      [{ checks: hostile }, /health could not be read: hostile/],
      [hostile, /health could not be read: hostile getter/],
    ];
    for (const [health, message] of cases) {
      const make = (): unknown => setup({ health: health as never });
      expect(make, String(message)).toThrow(AgentMeterConfigError);
      expect(make).toThrow(message);
    }
  });
});
