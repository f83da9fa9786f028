import { createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { createTestReader, type TestReader } from '@agentmeter/core/testing';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentMysql2 } from '../src/index.ts';
import { closedPort, requireServer, uniqueName } from './servers.ts';

const CONNECTION = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test' };

describe('instrumentMysql2 against MariaDB on 127.0.0.1:3306', () => {
  let meter: AgentMeter;
  let reader: TestReader;
  const table = uniqueName('am_my');
  const queries = (m: Awaited<ReturnType<TestReader['collect']>>, labels: Record<string, string>): number | undefined =>
    m.value(meter.instruments.dbQueries.otelName, { db_system: 'mysql', ...labels });

  beforeAll(async () => {
    await requireServer('MariaDB', 3306);
    meter = createAgentMeter();
    reader = createTestReader(meter);
  });
  afterAll(async () => {
    const cleanup = await mysqlPromise.createConnection(CONNECTION);
    await cleanup.query(`DROP TABLE IF EXISTS ${table}`);
    await cleanup.end();
    await reader?.shutdown();
  });

  it("counts promise-API queries and executes, and returns mysql2's own results", async () => {
    const connection = await mysqlPromise.createConnection(CONNECTION);
    expect(instrumentMysql2(connection, { meter })).toBe(connection);
    await connection.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, name VARCHAR(20))`);
    const [inserted] = await connection.execute(`INSERT INTO ${table} (id, name) VALUES (?, ?), (?, ?)`, [
      1,
      'a',
      2,
      'b',
    ]);
    expect((inserted as { affectedRows: number }).affectedRows).toBe(2);
    const [rows] = await connection.query(`SELECT name FROM ${table} WHERE id = ?`, [2]);
    expect(rows).toEqual([{ name: 'b' }]);
    const syntax = await connection.query('SELEC nonsense').catch((e: unknown) => e);
    expect((syntax as { code?: string }).code).toBe('ER_PARSE_ERROR');
    const prepared = await connection.execute(`SELECT nope FROM ${table}`).catch((e: unknown) => e);
    expect((prepared as { code?: string }).code).toBe('ER_BAD_FIELD_ERROR');
    await connection.end();

    const m = await reader.collect();
    expect(queries(m, { operation: 'CREATE', table, status: 'success' })).toBe(1);
    expect(queries(m, { operation: 'INSERT', table, status: 'success' })).toBe(1);
    expect(queries(m, { operation: 'SELECT', table, status: 'success' })).toBe(1);
    expect(queries(m, { operation: 'SELECT', table, status: 'error' })).toBe(1);
    expect(queries(m, { operation: 'OTHER', status: 'error' })).toBe(1);
    // sqlState 42000 and 42S22: bad requests in the shared taxonomy.
    expect(m.value(meter.instruments.errors.otelName, { error_type: 'bad_request', component: 'db' })).toBe(2);
  });

  it('counts callback-API and event-emitter queries, and transactions', async () => {
    const connection = instrumentMysql2(mysql.createConnection(CONNECTION), { meter });
    const rows = await new Promise((resolve, reject) => {
      connection.query(`SELECT id FROM ${table} ORDER BY id`, (error, result) =>
        error ? reject(error) : resolve(result),
      );
    });
    expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
    const streamed: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      connection
        .query(`SELECT name FROM ${table} ORDER BY id`)
        .on('result', (row) => streamed.push(row))
        .on('error', reject)
        .on('end', () => resolve());
    });
    expect(streamed).toEqual([{ name: 'a' }, { name: 'b' }]);
    const streamError = await new Promise((resolve) => {
      connection.query('SELEC broken').on('error', resolve);
    });
    expect((streamError as { code?: string }).code).toBe('ER_PARSE_ERROR');
    const transaction = (body: string, end: 'commit' | 'rollback'): Promise<void> =>
      new Promise((resolve, reject) => {
        connection.beginTransaction((error) => {
          if (error) return reject(error);
          connection.query(body, (queryError) => {
            if (queryError) return reject(queryError);
            connection[end]((endError) => (endError ? reject(endError) : resolve()));
          });
        });
      });
    await transaction(`UPDATE ${table} SET name = 'c' WHERE id = 1`, 'commit');
    await transaction(`DELETE FROM ${table}`, 'rollback');
    await new Promise<void>((resolve) => connection.end(() => resolve()));

    const m = await reader.collect();
    expect(queries(m, { operation: 'SELECT', table, status: 'success' })).toBe(3);
    expect(queries(m, { operation: 'OTHER', status: 'error' })).toBe(2);
    expect(queries(m, { operation: 'BEGIN', status: 'success' })).toBe(2);
    expect(queries(m, { operation: 'UPDATE', table, status: 'success' })).toBe(1);
    expect(queries(m, { operation: 'DELETE', table, status: 'success' })).toBe(1);
    const tx = meter.instruments.dbTransactions.otelName;
    expect(m.value(tx, { db_system: 'mysql', status: 'commit' })).toBe(1);
    expect(m.value(tx, { db_system: 'mysql', status: 'rollback' })).toBe(1);
  });

  it('reports pool sizes and exhaustion for a promise pool, and counts its queries once', async () => {
    const pool = instrumentMysql2(mysqlPromise.createPool({ ...CONNECTION, connectionLimit: 2 }), {
      meter,
      pool: 'exhaust',
    });
    const gauge = async (): Promise<number[]> => {
      const m = await reader.collect();
      const i = meter.instruments;
      return [i.dbConnectionsActive, i.dbConnectionsIdle, i.dbConnectionsMax, i.dbConnectionsPending].map(
        (instrument) => m.value(instrument.otelName, { db_system: 'mysql', pool: 'exhaust' }) ?? -1,
      );
    };
    const before = queries(await reader.collect(), { operation: 'SELECT', table, status: 'success' }) ?? 0;
    const a = await pool.getConnection();
    const b = await pool.getConnection();
    const waiting = [pool.getConnection(), pool.getConnection()];
    expect(await gauge()).toEqual([2, 0, 2, 2]);
    a.release();
    b.release();
    const more = await Promise.all(waiting);
    expect(await gauge()).toEqual([2, 0, 2, 0]);
    await more[0]!.query(`SELECT 1 FROM ${table}`);
    for (const connection of more) connection.release();
    expect(await gauge()).toEqual([0, 2, 2, 0]);
    const [rows] = await pool.query(`SELECT COUNT(*) AS n FROM ${table}`);
    expect(rows).toEqual([{ n: 2 }]);
    await pool.execute(`SELECT id FROM ${table} WHERE id = ?`, [1]);
    await pool.end();
    expect(queries(await reader.collect(), { operation: 'SELECT', table, status: 'success' })).toBe(before + 3);
  });

  it('counts connection refused on pool queries', async () => {
    const port = await closedPort();
    const pool = instrumentMysql2(mysql.createPool({ ...CONNECTION, port }), { meter, dbSystem: 'mysql-refused' });
    const viaQuery = await new Promise((resolve) => pool.query('SELECT 1', (error) => resolve(error)));
    const viaExecute = await new Promise((resolve) => pool.execute('SELECT 2', (error) => resolve(error)));
    expect([(viaQuery as { code?: string }).code, (viaExecute as { code?: string }).code]).toEqual([
      'ECONNREFUSED',
      'ECONNREFUSED',
    ]);
    await new Promise<void>((resolve) => pool.end(() => resolve()));
    const m = await reader.collect();
    expect(
      m.value(meter.instruments.dbQueries.otelName, {
        db_system: 'mysql-refused',
        operation: 'SELECT',
        status: 'error',
      }),
    ).toBe(2);
    expect(m.value(meter.instruments.errors.otelName, { error_type: 'connection', component: 'db' })).toBe(2);
  });
});
