import { createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { createTestReader, type TestReader } from '@agentmeter/core/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentPg } from '../src/index.ts';
import { closedPort, requireServer, uniqueName } from './servers.ts';

const CONNECTION = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };

describe('instrumentPg against PostgreSQL on 127.0.0.1:5432', () => {
  let meter: AgentMeter;
  let reader: TestReader;
  const table = uniqueName('am_pg');
  const q = (): string => meter.instruments.dbQueries.otelName;
  const d = (): string => meter.instruments.dbQueryDuration.otelName;

  beforeAll(async () => {
    await requireServer('PostgreSQL', 5432);
    meter = createAgentMeter();
    reader = createTestReader(meter);
  });
  afterAll(async () => {
    const cleanup = new pg.Client(CONNECTION);
    await cleanup.connect();
    await cleanup.query(`DROP TABLE IF EXISTS ${table}`);
    await cleanup.end();
    await reader?.shutdown();
  });

  it("counts Client queries by operation, table and status, and returns pg's own results", async () => {
    const client = new pg.Client(CONNECTION);
    expect(instrumentPg(client, { meter })).toBe(client);
    await client.connect();
    await client.query(`CREATE TABLE ${table} (id int primary key, name text)`);
    const inserted = await client.query(`INSERT INTO ${table} (id, name) VALUES ($1, $2), ($3, $4)`, [1, 'a', 2, 'b']);
    expect(inserted.rowCount).toBe(2);
    expect(inserted.command).toBe('INSERT');
    const selected = await client.query({ text: `SELECT name FROM ${table} WHERE id = $1`, values: [2] });
    expect(selected.rows).toEqual([{ name: 'b' }]);
    const viaCallback = await new Promise<pg.QueryResult>((resolve, reject) => {
      client.query(`SELECT id FROM ${table} ORDER BY id`, (error: Error | null, result: pg.QueryResult) =>
        error ? reject(error) : resolve(result),
      );
    });
    expect(viaCallback.rows).toEqual([{ id: 1 }, { id: 2 }]);
    const error = await client.query('SELEC nonsense').catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('42601');
    await client.end();

    const m = await reader.collect();
    const labels = { db_system: 'postgresql', table };
    expect(m.value(q(), { ...labels, operation: 'CREATE', status: 'success' })).toBe(1);
    expect(m.value(q(), { ...labels, operation: 'INSERT', status: 'success' })).toBe(1);
    expect(m.value(q(), { ...labels, operation: 'SELECT', status: 'success' })).toBe(2);
    expect(m.value(q(), { db_system: 'postgresql', operation: 'OTHER', status: 'error' })).toBe(1);
    expect(m.histogram(d(), { ...labels, operation: 'SELECT', status: 'success' })?.count).toBe(2);
    // SQLSTATE 42601 (syntax error) is a bad request in the shared taxonomy.
    expect(m.value(meter.instruments.errors.otelName, { error_type: 'bad_request', component: 'db' })).toBe(1);
  });

  it('counts a config object with its own callback, and lets submittables pass through', async () => {
    const client = instrumentPg(new pg.Client(CONNECTION), { meter });
    await client.connect();
    const before =
      (await reader.collect()).value(q(), { db_system: 'postgresql', operation: 'SELECT', table, status: 'success' }) ??
      0;
    const viaConfig = await new Promise((resolve, reject) => {
      client.query({
        text: `SELECT id FROM ${table} WHERE id = $1`,
        values: [1],
        callback: (e: Error | null, r: pg.QueryResult) => (e ? reject(e) : resolve(r.rows)),
      } as never);
    });
    expect(viaConfig).toEqual([{ id: 1 }]);
    const submittable = new pg.Query(`SELECT id FROM ${table}`);
    expect(client.query(submittable)).toBe(submittable);
    await new Promise((resolve) => submittable.on('end', resolve));
    await client.end();
    const m = await reader.collect();
    expect(m.value(q(), { db_system: 'postgresql', operation: 'SELECT', table, status: 'success' })).toBe(before + 1);
  });

  it('counts commits and rollbacks, including a COMMIT that PostgreSQL turns into a ROLLBACK', async () => {
    const before = await reader.collect();
    const tx = (status: string): number =>
      before.value(meter.instruments.dbTransactions.otelName, { db_system: 'postgresql', status }) ?? 0;
    const [commits, rollbacks] = [tx('commit'), tx('rollback')];
    const client = instrumentPg(new pg.Client(CONNECTION), { meter });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`UPDATE ${table} SET name = 'c' WHERE id = 1`);
    await client.query('COMMIT');
    await client.query('BEGIN');
    await client.query(`DELETE FROM ${table}`);
    await client.query('ROLLBACK');
    await client.query('BEGIN');
    await client.query('SELECT 1/0').catch(() => undefined);
    const aborted = await client.query('COMMIT');
    expect(aborted.command).toBe('ROLLBACK');
    await client.end();
    const m = await reader.collect();
    expect(m.value(meter.instruments.dbTransactions.otelName, { db_system: 'postgresql', status: 'commit' })).toBe(
      commits + 1,
    );
    expect(m.value(meter.instruments.dbTransactions.otelName, { db_system: 'postgresql', status: 'rollback' })).toBe(
      rollbacks + 2,
    );
  });

  it('reports pool sizes, and pool exhaustion as active = max with waiters', async () => {
    const pool = instrumentPg(new pg.Pool({ ...CONNECTION, max: 2 }), { meter, pool: 'exhaust' });
    const selects = async (): Promise<number> =>
      (await reader.collect()).value(q(), { db_system: 'postgresql', operation: 'SELECT', table, status: 'success' }) ??
      0;
    const before = await selects();
    const gauge = async (): Promise<number[]> => {
      const m = await reader.collect();
      const labels = { db_system: 'postgresql', pool: 'exhaust' };
      const i = meter.instruments;
      return [i.dbConnectionsActive, i.dbConnectionsIdle, i.dbConnectionsMax, i.dbConnectionsPending].map(
        (instrument) => m.value(instrument.otelName, labels) ?? -1,
      );
    };
    const a = await pool.connect();
    const b = await pool.connect();
    const waiting = [pool.connect(), pool.connect()];
    expect(await gauge()).toEqual([2, 0, 2, 2]);
    a.release();
    b.release();
    const more = await Promise.all(waiting);
    expect(await gauge()).toEqual([2, 0, 2, 0]);
    for (const client of more) client.release();
    expect(await gauge()).toEqual([0, 2, 2, 0]);
    const result = await pool.query(`SELECT count(*)::int AS n FROM ${table}`);
    expect(result.rows).toEqual([{ n: 2 }]);
    await pool.end();
    expect(await selects()).toBe(before + 1);
  });

  it('counts connection refused on pool.query and Client.connect failures as errors', async () => {
    const port = await closedPort();
    const pool = instrumentPg(new pg.Pool({ ...CONNECTION, port, max: 1 }), {
      meter,
      dbSystem: 'pg-refused',
      pool: 'refused',
    });
    const error = await pool.query('SELECT 1').catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
    const viaCallback = await new Promise((resolve) => pool.query('SELECT 2', (e: Error) => resolve(e)));
    expect((viaCallback as { code?: string }).code).toBe('ECONNREFUSED');
    await pool.end();
    const m = await reader.collect();
    expect(m.value(q(), { db_system: 'pg-refused', operation: 'SELECT', status: 'error' })).toBe(2);
    expect(m.value(meter.instruments.errors.otelName, { error_type: 'connection', component: 'db' })).toBe(2);
  });
});
