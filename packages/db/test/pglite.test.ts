import { createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { createTestReader, type MetricsSnapshot, type TestReader } from '@agentmeter/core/testing';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentPGlite } from '../src/index.ts';

describe('instrumentPGlite, in process', () => {
  let meter: AgentMeter;
  let reader: TestReader;
  let db: PGlite;
  const queries = (m: MetricsSnapshot, labels: Record<string, string>): number | undefined =>
    m.value(meter.instruments.dbQueries.otelName, { db_system: 'pglite', ...labels });
  const transactions = (m: MetricsSnapshot, status: string): number | undefined =>
    m.value(meter.instruments.dbTransactions.otelName, { db_system: 'pglite', status });

  beforeAll(async () => {
    meter = createAgentMeter();
    reader = createTestReader(meter);
    db = await PGlite.create();
    expect(instrumentPGlite(db, { meter })).toBe(db);
  });
  afterAll(async () => {
    await db.close();
    await reader.shutdown();
  });

  it("counts query, sql and exec by operation and table, and returns PGlite's own results", async () => {
    await db.exec('CREATE TABLE items (id int primary key, name text)');
    const inserted = await db.query('INSERT INTO items VALUES ($1, $2), ($3, $4)', [1, 'a', 2, 'b']);
    expect(inserted.affectedRows).toBe(2);
    const byId = 2;
    const selected = await db.sql<{ name: string }>`SELECT name FROM items WHERE id = ${byId}`;
    expect(selected.rows).toEqual([{ name: 'b' }]);
    const error = await db.query('SELECT missing FROM items').catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('42703');
    const m = await reader.collect();
    expect(queries(m, { operation: 'CREATE', table: 'items', status: 'success' })).toBe(1);
    expect(queries(m, { operation: 'INSERT', table: 'items', status: 'success' })).toBe(1);
    expect(queries(m, { operation: 'SELECT', table: 'items', status: 'success' })).toBe(1);
    expect(queries(m, { operation: 'SELECT', table: 'items', status: 'error' })).toBe(1);
  });

  it('counts transaction() commits and rollbacks, and the queries inside', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.query("UPDATE items SET name = 'c' WHERE id = 1");
      await tx.sql`DELETE FROM items WHERE id = ${2}`;
      return 'done';
    });
    expect(result).toBe('done');
    const failure = await db
      .transaction(async (tx) => {
        await tx.exec('DELETE FROM items');
        throw new Error('changed my mind');
      })
      .catch((e: unknown) => e);
    expect((failure as Error).message).toBe('changed my mind');
    await db.transaction(async (tx) => {
      await tx.query('DELETE FROM items');
      await tx.rollback();
    });
    const left = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM items');
    expect(left.rows).toEqual([{ n: 1 }]);
    const m = await reader.collect();
    expect(transactions(m, 'commit')).toBe(1);
    expect(transactions(m, 'rollback')).toBe(2);
    expect(queries(m, { operation: 'UPDATE', table: 'items', status: 'success' })).toBe(1);
    expect(queries(m, { operation: 'DELETE', table: 'items', status: 'success' })).toBe(3);
  });
});
