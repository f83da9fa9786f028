import { createServer, type Server } from 'node:http';
import { createAgentMeter } from '@agentmeter/core';
import { PGlite } from '@electric-sql/pglite';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instrumentBetterSqlite3,
  instrumentIoredis,
  instrumentMysql2,
  instrumentPg,
  instrumentPGlite,
} from '../src/index.ts';
import { requireServer, uniqueName } from './servers.ts';

/** Scrapes /metrics served by the real Prometheus exporter, as Prometheus would. */
describe('the five clients on /metrics', () => {
  const meter = createAgentMeter();
  const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [meter.metricProducer!] });
  const provider = new MeterProvider({ readers: [exporter] });
  let server: Server;
  let url: string;

  beforeAll(async () => {
    await Promise.all([
      requireServer('PostgreSQL', 5432),
      requireServer('MariaDB', 3306),
      requireServer('Redis', 6379),
    ]);
    server = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/metrics`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await provider.shutdown();
  });

  it('exports the DB and cache families with exact values', async () => {
    const pool = instrumentPg(new pg.Pool({ host: '127.0.0.1', user: 'postgres', database: 'test', max: 3 }), {
      meter,
      pool: 'pg_main',
    });
    const my = instrumentMysql2(
      mysql.createPool({ host: '127.0.0.1', user: 'root', database: 'test', connectionLimit: 4 }),
      { meter, pool: 'my_main' },
    );
    const redis = instrumentIoredis(new Redis({ host: '127.0.0.1' }), { meter });
    const lite = instrumentPGlite(await PGlite.create(), { meter });
    const sqlite = instrumentBetterSqlite3(new Database(':memory:'), { meter });

    await pool.query('SELECT 1');
    await my.query('SELECT 1');
    const key = uniqueName('am_metrics');
    await redis.set(key, 'v');
    await redis.get(key);
    await redis.get(`${key}_missing`);
    await redis.del(key);
    await lite.query('SELECT 1');
    sqlite.prepare('SELECT 1').get();

    const text = await (await fetch(url)).text();
    const line = (name: string, labels: string): string | undefined =>
      text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((label) => l.includes(label)));
    const value = (name: string, labels: string): number => Number(line(name, labels)?.split(' ').pop());

    const i = meter.instruments;
    expect(
      [i.dbQueries, i.dbQueryDuration, i.cacheOperations, i.cacheHitRatio, i.dbConnectionsMax].map(
        (x) => x.prometheusName,
      ),
    ).toEqual([
      'agentmeter_db_queries_total',
      'agentmeter_db_query_duration_seconds',
      'agentmeter_cache_operations_total',
      'agentmeter_cache_hit_ratio',
      'agentmeter_db_connections_max',
    ]);
    for (const system of ['postgresql', 'mysql', 'pglite', 'sqlite']) {
      expect(value('agentmeter_db_queries_total', `db_system="${system}",operation="SELECT",status="success"`)).toBe(1);
      // The stock exporter (0.301) adds no unit suffix to histograms; the Collector's translation and
      // the catalog's prometheusName say agentmeter_db_query_duration_seconds.
      expect(
        value('agentmeter_db_query_duration_count', `db_system="${system}",operation="SELECT",status="success"`),
      ).toBe(1);
    }
    expect(value('agentmeter_db_queries_total', 'db_system="redis",operation="GET",status="success"')).toBe(2);
    expect(value('agentmeter_cache_operations_total', 'cache="redis",operation="get",result="hit"')).toBe(1);
    expect(value('agentmeter_cache_operations_total', 'cache="redis",operation="get",result="miss"')).toBe(1);
    expect(value('agentmeter_cache_operations_total', 'cache="redis",operation="set",result="ok"')).toBe(1);
    expect(value('agentmeter_cache_hit_ratio', 'cache="redis"')).toBe(0.5);
    expect(value('agentmeter_db_connections_max', 'db_system="postgresql",pool="pg_main"')).toBe(3);
    expect(value('agentmeter_db_connections_idle', 'db_system="postgresql",pool="pg_main"')).toBe(1);
    expect(value('agentmeter_db_connections_active', 'db_system="postgresql",pool="pg_main"')).toBe(0);
    expect(value('agentmeter_db_connections_pending', 'db_system="postgresql",pool="pg_main"')).toBe(0);
    expect(value('agentmeter_db_connections_max', 'db_system="mysql",pool="my_main"')).toBe(4);
    expect(value('agentmeter_db_connections_idle', 'db_system="mysql",pool="my_main"')).toBe(1);
    expect(text).toContain('# TYPE agentmeter_db_transactions_total counter');
    expect(text).not.toContain(key);

    await pool.end();
    await my.end();
    redis.disconnect();
    await lite.close();
    sqlite.close();
  });
});
