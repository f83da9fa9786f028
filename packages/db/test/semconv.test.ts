import { createAgentMeter } from '@agentmeter/core';
import { createTestReader } from '@agentmeter/core/testing';
import { PGlite } from '@electric-sql/pglite';
import mysqlCallbacks from 'mysql2';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { instrumentMysql2, instrumentPg, instrumentPGlite } from '../src/index.ts';
import { requireServer } from './servers.ts';

const DURATION = 'db.client.operation.duration';

describe('database semantic conventions against the real servers', () => {
  beforeAll(async () => {
    await requireServer('PostgreSQL', 5432);
    await requireServer('MariaDB', 3306);
  });

  it('pg Pool: connection count by state, max, pending requests, query summary and SQLSTATE', async () => {
    const semconv = createTestReader();
    const pool = instrumentPg(new pg.Pool({ host: '127.0.0.1', user: 'postgres', database: 'test', max: 2 }), {
      meter: createAgentMeter(),
      semconv: semconv.provider,
      pool: 'i20',
    });
    const held = await pool.connect();
    await held.query('SELECT 1');
    await expect(held.query('SELECT * FROM i20_missing_table')).rejects.toMatchObject({ code: '42P01' });
    const m = await semconv.collect();
    const name = { 'db.client.connection.pool.name': 'i20' };
    expect(m.value('db.client.connection.count', { ...name, 'db.client.connection.state': 'used' })).toBe(1);
    expect(m.value('db.client.connection.count', { ...name, 'db.client.connection.state': 'idle' })).toBe(0);
    expect(m.value('db.client.connection.max', name)).toBe(2);
    expect(m.value('db.client.connection.pending_requests', name)).toBe(0);
    expect(
      m.histogram(DURATION, {
        'db.system.name': 'postgresql',
        'db.operation.name': 'SELECT',
        'db.query.summary': 'SELECT',
      })?.count,
    ).toBe(1);
    expect(
      m.histogram(DURATION, {
        'db.system.name': 'postgresql',
        'db.operation.name': 'SELECT',
        'db.collection.name': 'i20_missing_table',
        'db.query.summary': 'SELECT i20_missing_table',
        'error.type': 'bad_request',
        'db.response.status_code': '42P01',
      })?.count,
    ).toBe(1);
    held.release();
    await pool.end();
    await semconv.shutdown();
  });

  it('mysql2 Pool: the same pool metrics, and the MariaDB error number as the status code', async () => {
    const semconv = createTestReader();
    const pool = mysql.createPool({ host: '127.0.0.1', user: 'root', database: 'test', connectionLimit: 3 });
    instrumentMysql2(pool, { meter: createAgentMeter(), semconv: semconv.provider, dbSystem: 'mariadb', pool: 'i20' });
    await expect(pool.query('SELECT * FROM i20_missing_table')).rejects.toMatchObject({ errno: 1146 });
    const m = await semconv.collect();
    const name = { 'db.client.connection.pool.name': 'i20' };
    expect(m.value('db.client.connection.count', { ...name, 'db.client.connection.state': 'idle' })).toBe(1);
    expect(m.value('db.client.connection.count', { ...name, 'db.client.connection.state': 'used' })).toBe(0);
    expect(m.value('db.client.connection.max', name)).toBe(3);
    expect(
      m.histogram(DURATION, {
        'db.system.name': 'mariadb',
        'db.operation.name': 'SELECT',
        'db.collection.name': 'i20_missing_table',
        'db.query.summary': 'SELECT i20_missing_table',
        'error.type': 'bad_request',
        'db.response.status_code': '1146',
      })?.count,
    ).toBe(1);
    await pool.end();
    await semconv.shutdown();
  });

  it('mysql2 without dbSystem: db.system.name is mariadb, learnt from the MariaDB handshake; db_system stays mysql', async () => {
    const semconv = createTestReader();
    const meter = createAgentMeter();
    const agentmeter = createTestReader(meter);
    // A pool wrapped before it has any connection, and a callback connection wrapped before its handshake.
    const pool = instrumentMysql2(
      mysql.createPool({ host: '127.0.0.1', user: 'root', database: 'test', connectionLimit: 1 }),
      { meter, semconv: semconv.provider },
    );
    await pool.query('SELECT 1');
    const connection = instrumentMysql2(
      mysqlCallbacks.createConnection({ host: '127.0.0.1', user: 'root', database: 'test' }),
      { meter, semconv: semconv.provider },
    );
    await new Promise((resolve, reject) =>
      connection.query('SELECT 2', (error) => (error ? reject(error) : resolve(undefined))),
    );
    // Told the system, the wrapper keeps it.
    const told = instrumentMysql2(await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'test' }), {
      meter: createAgentMeter(),
      semconv: semconv.provider,
      dbSystem: 'mysql',
    });
    await told.query('SELECT 3');
    const m = await semconv.collect();
    expect(
      m.histogram(DURATION, {
        'db.system.name': 'mariadb',
        'db.operation.name': 'SELECT',
        'db.query.summary': 'SELECT',
      })?.count,
    ).toBe(2);
    expect(
      m.histogram(DURATION, { 'db.system.name': 'mysql', 'db.operation.name': 'SELECT', 'db.query.summary': 'SELECT' })
        ?.count,
    ).toBe(1);
    expect(
      (await agentmeter.collect()).histogram('agentmeter.db.query.duration', {
        db_system: 'mysql',
        operation: 'SELECT',
        status: 'success',
      })?.count,
    ).toBe(2);
    await pool.end();
    await new Promise((resolve) => connection.end(resolve));
    await told.end();
    await semconv.shutdown();
    await agentmeter.shutdown();
  });

  it('PGlite is db.system.name postgresql', async () => {
    const semconv = createTestReader();
    const db = instrumentPGlite(await PGlite.create(), { meter: createAgentMeter(), semconv: semconv.provider });
    await expect(db.query('SELECT * FROM i20_missing')).rejects.toMatchObject({ code: '42P01' });
    const m = await semconv.collect();
    expect(
      m.histogram(DURATION, {
        'db.system.name': 'postgresql',
        'db.operation.name': 'SELECT',
        'db.collection.name': 'i20_missing',
        'db.query.summary': 'SELECT i20_missing',
        'error.type': 'bad_request',
        'db.response.status_code': '42P01',
      })?.count,
    ).toBe(1);
    await db.close();
    await semconv.shutdown();
  });
});
