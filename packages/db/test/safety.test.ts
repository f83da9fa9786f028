import { AgentMeterConfigError, createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { createTestReader } from '@agentmeter/core/testing';
import { PGlite } from '@electric-sql/pglite';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import mysql from 'mysql2';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  createCacheTracker,
  createQueryTracker,
  instrumentBetterSqlite3,
  instrumentIoredis,
  instrumentMysql2,
  instrumentPg,
  instrumentPGlite,
} from '../src/index.ts';
import { requireServer } from './servers.ts';

const WRAPPERS = {
  instrumentPg,
  instrumentMysql2,
  instrumentIoredis,
  instrumentPGlite,
  instrumentBetterSqlite3,
} as const;

const fail = (): never => {
  throw new Error('telemetry is down');
};

/** A meter whose every instrument, hook and helper throws: telemetry at its worst. */
function brokenMeter(): AgentMeter {
  const instrument = {
    bind: () => ({ add: fail, record: fail, set: fail }),
    add: fail,
    record: fail,
    set: fail,
    otelName: 'x',
  };
  return {
    instruments: new Proxy({}, { get: (_target, key) => (key === 'dbQueries' ? fail() : instrument) }),
    onCollect: fail,
    recordCacheOperation: fail,
    trackError: fail,
  } as unknown as AgentMeter;
}

describe('wrap-time checks', () => {
  const meter = createAgentMeter();
  const notClients: unknown[] = [
    undefined,
    null,
    42,
    Number.NaN,
    Infinity,
    'postgres://localhost',
    {},
    [],
    () => undefined,
    Promise.resolve({}),
    pg,
    mysql,
    { query: 'not a function' },
  ];

  it.each(Object.entries(WRAPPERS))(
    '%s rejects what it cannot instrument, naming itself and what it expected',
    (name, wrap) => {
      for (const value of notClients) {
        expect(() => (wrap as (c: unknown, o: unknown) => unknown)(value, { meter })).toThrow(AgentMeterConfigError);
        expect(() => (wrap as (c: unknown, o: unknown) => unknown)(value, { meter })).toThrow(
          new RegExp(`^${name}: expected `),
        );
      }
    },
  );

  it('rejects a client of another library', () => {
    const db = new Database(':memory:');
    expect(() => instrumentPg(db, { meter })).toThrow(/instrumentPg: expected a pg.Client or pg.Pool, got a Database/);
    expect(() => instrumentIoredis(new pg.Client(), { meter })).toThrow(
      /expected an ioredis Redis or Cluster client, got a Client/,
    );
    expect(() => instrumentMysql2(new pg.Pool(), { meter })).toThrow(
      /instrumentMysql2: expected a mysql2 Connection or Pool/,
    );
    db.close();
  });

  it('rejects bad options with a message saying what to change', () => {
    const db = new Database(':memory:');
    const bad: [unknown, RegExp][] = [
      [undefined, /pass options with a meter/],
      [{}, /options\.meter must be an AgentMeter/],
      [{ meter: {} }, /options\.meter must be an AgentMeter/],
      [{ meter, dbSystem: '' }, /options\.dbSystem must be 1 to 64/],
      [{ meter, dbSystem: 'x'.repeat(65) }, /options\.dbSystem must be .*a string of 65 characters/],
      [{ meter, dbSystem: 'has space' }, /options\.dbSystem/],
      [{ meter, dbSystem: 42 }, /options\.dbSystem .*got 42/],
      [{ meter, pool: 'a\nb' }, /options\.pool/],
      [{ meter, maxTables: -1 }, /options\.maxTables must be an integer from 0 to 10000 \(got -1\)/],
      [{ meter, maxTables: Number.NaN }, /options\.maxTables .*NaN/],
      [{ meter, maxTables: Infinity }, /options\.maxTables .*Infinity/],
      [{ meter, maxTables: 1.5 }, /options\.maxTables/],
      [{ meter, maxTables: '10' }, /options\.maxTables/],
      [{ meter, tables: 'yes' }, /options\.tables must be true or false/],
      [{ meter, semconv: 42 }, /options\.semconv must be an OpenTelemetry MeterProvider or 'global'/],
      [{ meter, semconv: {} }, /options\.semconv/],
    ];
    for (const [options, message] of bad) {
      expect(() => instrumentBetterSqlite3(db, options as never)).toThrow(message);
    }
    db.close();
  });

  it('returns the same object when wrapping twice, and counts each query once', async () => {
    const reader = createTestReader(meter);
    const db = new Database(':memory:');
    expect(instrumentBetterSqlite3(instrumentBetterSqlite3(db, { meter }), { meter })).toBe(db);
    db.prepare('SELECT 1').get();
    const m = await reader.collect();
    expect(
      m.value(meter.instruments.dbQueries.otelName, { db_system: 'sqlite', operation: 'SELECT', status: 'success' }),
    ).toBe(1);
    db.close();
    await reader.shutdown();
  });
});

describe('a telemetry failure never alters a result or an error', () => {
  it('better-sqlite3 and PGlite', async () => {
    const meter = brokenMeter();
    const db = instrumentBetterSqlite3(new Database(':memory:'), { meter });
    db.exec('CREATE TABLE t (a INTEGER PRIMARY KEY)');
    expect(db.prepare('INSERT INTO t VALUES (?)').run(1)).toEqual({ changes: 1, lastInsertRowid: 1 });
    expect(() => db.prepare('INSERT INTO t VALUES (?)').run(1)).toThrow(/UNIQUE constraint failed/);
    expect(db.transaction(() => db.prepare('SELECT a FROM t').all())()).toEqual([{ a: 1 }]);
    db.close();
    const lite = instrumentPGlite(await PGlite.create(), { meter });
    expect((await lite.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await expect(lite.query('SELEC')).rejects.toMatchObject({ code: '42601' });
    expect(await lite.transaction(async (tx) => (await tx.query('SELECT 2 AS two')).rows)).toEqual([{ two: 2 }]);
    await lite.close();
  });

  it('pg, mysql2 and ioredis against the real servers', async () => {
    await requireServer('PostgreSQL', 5432);
    await requireServer('MariaDB', 3306);
    await requireServer('Redis', 6379);
    const meter = brokenMeter();
    const pool = instrumentPg(new pg.Pool({ host: '127.0.0.1', user: 'postgres', database: 'test', max: 1 }), {
      meter,
    });
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await expect(pool.query('SELEC')).rejects.toMatchObject({ code: '42601' });
    await pool.end();
    const connection = instrumentMysql2(mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'test' }), {
      meter,
    });
    const rows = await new Promise((resolve, reject) =>
      connection.query('SELECT 1 AS one', (e, r) => (e ? reject(e) : resolve(r))),
    );
    expect(rows).toEqual([{ one: 1 }]);
    const error = await new Promise((resolve) => connection.query('SELEC', (e) => resolve(e)));
    expect(error).toMatchObject({ code: 'ER_PARSE_ERROR' });
    await new Promise<void>((resolve) => connection.end(() => resolve()));
    const redis = instrumentIoredis(new Redis({ host: '127.0.0.1' }), { meter });
    expect(await redis.get(`am_missing_${process.pid}`)).toBeNull();
    expect(await redis.pipeline().echo('hi').exec()).toEqual([[null, 'hi']]);
    redis.disconnect();
  });

  it('generic trackers', () => {
    const meter = brokenMeter();
    expect(createQueryTracker({ meter, dbSystem: 'x' }).query('SELECT 1', () => 7)).toBe(7);
    expect(createCacheTracker({ meter }).read('get', () => null)).toBeNull();
  });
});

describe('OpenTelemetry semantic conventions', () => {
  it('records db.client.operation.duration through the given MeterProvider', async () => {
    const meter = createAgentMeter();
    const semconv = createTestReader();
    const db = instrumentBetterSqlite3(new Database(':memory:'), { meter, semconv: semconv.provider });
    db.exec('CREATE TABLE notes (id INTEGER)');
    db.prepare('SELECT * FROM notes').all();
    db.prepare('SELECT * FROM notes').all();
    expect(() => db.prepare('SELECT * FROM nowhere')).toThrow(/no such table/);
    const m = await semconv.collect();
    const name = 'db.client.operation.duration';
    const select = {
      'db.system.name': 'sqlite',
      'db.operation.name': 'SELECT',
      'db.query.summary': 'SELECT notes',
      'db.collection.name': 'notes',
    };
    expect(m.histogram(name, select)?.count).toBe(2);
    expect(
      m.histogram(name, {
        ...select,
        'db.query.summary': 'SELECT nowhere',
        'db.collection.name': 'nowhere',
        'error.type': 'bad_request',
        'db.response.status_code': 'SQLITE_ERROR',
      })?.count,
    ).toBe(1);
    db.close();
    await semconv.shutdown();
  });
});
