import { createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { createTestReader, type MetricsSnapshot, type TestReader } from '@agentmeter/core/testing';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentBetterSqlite3 } from '../src/index.ts';

describe('instrumentBetterSqlite3, in process', () => {
  let meter: AgentMeter;
  let reader: TestReader;
  let db: Database.Database;
  const queries = (m: MetricsSnapshot, labels: Record<string, string>): number | undefined =>
    m.value(meter.instruments.dbQueries.otelName, { db_system: 'sqlite', ...labels });
  const transactions = (m: MetricsSnapshot, status: string): number | undefined =>
    m.value(meter.instruments.dbTransactions.otelName, { db_system: 'sqlite', status });

  beforeEach(() => {
    meter = createAgentMeter();
    reader = createTestReader(meter);
    db = new Database(':memory:');
    expect(instrumentBetterSqlite3(db, { meter })).toBe(db);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
  });
  afterEach(async () => {
    db.close();
    await reader.shutdown();
  });

  it('loads the native addon under the Node that runs the tests', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
    expect(db.prepare('SELECT sqlite_version() AS v').get()).toEqual({ v: expect.stringMatching(/^3\./) });
  });

  it("counts run, get, all, iterate and exec, returning better-sqlite3's own results", async () => {
    const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
    expect(insert.run('a')).toEqual({ changes: 1, lastInsertRowid: 1 });
    insert.run('b');
    insert.run('c');
    expect(db.prepare('SELECT body FROM notes WHERE id = ?').get(2)).toEqual({ body: 'b' });
    expect(db.prepare('SELECT body FROM notes WHERE id = ?').pluck().get(3)).toBe('c');
    expect(db.prepare('SELECT id FROM notes ORDER BY id').all()).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const bodies = [...db.prepare('SELECT body FROM notes ORDER BY id').iterate()].map(
      (row) => (row as { body: string }).body,
    );
    expect(bodies).toEqual(['a', 'b', 'c']);
    for (const row of db.prepare('SELECT id FROM notes').iterate()) if (row !== undefined) break;
    const m = await reader.collect();
    expect(queries(m, { operation: 'CREATE', table: 'notes', status: 'success' })).toBe(1);
    expect(queries(m, { operation: 'INSERT', table: 'notes', status: 'success' })).toBe(3);
    expect(queries(m, { operation: 'SELECT', table: 'notes', status: 'success' })).toBe(5);
    expect(
      m.histogram(meter.instruments.dbQueryDuration.otelName, {
        db_system: 'sqlite',
        operation: 'SELECT',
        table: 'notes',
        status: 'success',
      })?.count,
    ).toBe(5);
  });

  it('counts syntax errors at prepare time and constraint errors at run time', async () => {
    expect(() => db.prepare('SELEC nonsense')).toThrow(/syntax error/);
    const duplicate = db.prepare('INSERT INTO notes (id, body) VALUES (1, ?)');
    duplicate.run('first');
    expect(() => duplicate.run('again')).toThrow(/UNIQUE constraint failed/);
    const m = await reader.collect();
    expect(queries(m, { operation: 'OTHER', status: 'error' })).toBe(1);
    expect(queries(m, { operation: 'INSERT', table: 'notes', status: 'success' })).toBe(1);
    expect(queries(m, { operation: 'INSERT', table: 'notes', status: 'error' })).toBe(1);
    // SQLITE_ERROR and SQLITE_CONSTRAINT_PRIMARYKEY: bad requests in the shared taxonomy.
    expect(m.value(meter.instruments.errors.otelName, { error_type: 'bad_request', component: 'db' })).toBe(2);
  });

  it('counts db.transaction() commits and rollbacks once, nested calls included, and SQL COMMIT/ROLLBACK', async () => {
    const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
    const addMany = db.transaction((bodies: string[]) => {
      for (const body of bodies) insert.run(body);
      return bodies.length;
    });
    const nested = db.transaction(() => {
      addMany(['inner']);
      insert.run('outer');
    });
    const failing = db.transaction(() => {
      insert.run('lost');
      throw new Error('abort');
    });
    expect(addMany(['a', 'b'])).toBe(2);
    expect(addMany.immediate(['c'])).toBe(1);
    nested();
    expect(() => failing()).toThrow('abort');
    expect(() => failing.exclusive()).toThrow('abort');
    db.exec('BEGIN');
    insert.run('manual');
    db.prepare('ROLLBACK').run();
    db.exec('BEGIN');
    db.exec('COMMIT');
    expect(db.prepare('SELECT count(*) AS n FROM notes').pluck().get()).toBe(5);
    const m = await reader.collect();
    expect(transactions(m, 'commit')).toBe(3 + 1);
    expect(transactions(m, 'rollback')).toBe(2 + 1);
  });
});
