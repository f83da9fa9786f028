import { createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { createTestReader, type TestReader } from '@agentmeter/core/testing';
import { PGlite } from '@electric-sql/pglite';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentBetterSqlite3, instrumentMysql2, instrumentPg, instrumentPGlite } from '../src/index.ts';
import { requireServer } from './servers.ts';
import { statement, TABLES, TAINT, type Dialect, type Generated } from './sql-generator.ts';

/**
 * The generated statements of the property test, sent to the real servers through the wrapped
 * clients: each must be accepted (so the generator writes real SQL and its reference answers
 * are the server's reading), and the labels the wrappers export must be exactly the reference.
 * A few thousand per server through the wrapped clients; all 10^5 per dialect of the property test
 * are sent to the servers in statement.acceptance.test.ts.
 */
const PER_SERVER = 2000;
const DDL = TABLES.map((t) => `CREATE TABLE IF NOT EXISTS ${t} (id int, name varchar(400))`);

function sample(dialect: Dialect, seed: number): Generated[] {
  return fc.sample(statement(dialect), { numRuns: PER_SERVER, seed });
}

/** Runs every statement; returns those the server rejected, with its message. */
async function runAll(
  statements: readonly Generated[],
  run: (sql: string) => Promise<unknown> | unknown,
): Promise<string[]> {
  const rejected: string[] = [];
  for (const { sql } of statements) {
    try {
      await run(sql);
    } catch (error) {
      rejected.push(`${(error as Error).message}: ${sql}`);
    }
  }
  return rejected;
}

/** The (operation, table) label pairs that the meter exported, against the reference's. */
async function expectLabels(reader: TestReader, meter: AgentMeter, statements: readonly Generated[]): Promise<void> {
  const snapshot = await reader.collect();
  const exported = new Set(
    snapshot
      .points(meter.instruments.dbQueries.otelName)
      .map((p) => `${String(p.attributes['operation'])} ${String(p.attributes['table'] ?? '')}`),
  );
  const expected = new Set(statements.map((s) => `${s.operation} ${s.table ?? ''}`));
  expect([...exported].toSorted()).toEqual([...expected].toSorted());
  for (const label of exported) for (const word of TAINT) expect(label.split(' ')[1]).not.toContain(word);
}

describe('generated statements on the real servers', () => {
  let meter: AgentMeter;
  let reader: TestReader;

  beforeAll(async () => {
    await requireServer('PostgreSQL', 5432);
    await requireServer('MariaDB', 3306);
  });
  afterAll(async () => {
    await reader?.shutdown();
  });
  const fresh = (): void => {
    meter = createAgentMeter();
    reader = createTestReader(meter);
  };

  it('PostgreSQL accepts every statement and its labels are the reference', async () => {
    fresh();
    const client = instrumentPg(new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' }), {
      meter,
      maxTables: 1000,
    });
    await client.connect();
    try {
      for (const ddl of DDL) await client.query(ddl);
      const statements = sample('postgresql', 1);
      await client.query('BEGIN');
      const rejected = await runAll(statements, async (sql) => {
        await client.query('SAVEPOINT s');
        try {
          await client.query(sql);
        } finally {
          await client.query('ROLLBACK TO SAVEPOINT s');
        }
      });
      await client.query('ROLLBACK');
      expect(rejected.slice(0, 3), `${rejected.length} rejected`).toEqual([]);
      await expectLabels(reader, meter, [
        ...statements,
        ...['BEGIN', 'ROLLBACK'].map((operation) => ({ sql: '', operation, table: undefined })),
        { sql: '', operation: 'SAVEPOINT', table: undefined },
        ...DDL.map((_, i) => ({ sql: '', operation: 'CREATE', table: TABLES[i] })),
      ]);
    } finally {
      await client.end();
    }
  });

  it('MariaDB accepts every statement and its labels are the reference', async () => {
    fresh();
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test' });
    instrumentMysql2(connection, { meter, maxTables: 1000 });
    try {
      for (const ddl of DDL) await connection.query(ddl);
      const statements = sample('mysql', 2);
      await connection.query('START TRANSACTION');
      const rejected = await runAll(statements, (sql) => connection.query(sql));
      await connection.query('ROLLBACK');
      expect(rejected.slice(0, 3), `${rejected.length} rejected`).toEqual([]);
      await expectLabels(reader, meter, [
        ...statements,
        { sql: '', operation: 'BEGIN', table: undefined },
        { sql: '', operation: 'ROLLBACK', table: undefined },
        ...DDL.map((_, i) => ({ sql: '', operation: 'CREATE', table: TABLES[i] })),
      ]);
    } finally {
      await connection.end();
    }
  });

  it('SQLite (better-sqlite3) accepts every statement and its labels are the reference', async () => {
    fresh();
    const db = instrumentBetterSqlite3(new Database(':memory:'), { meter, maxTables: 1000 });
    try {
      for (const ddl of DDL) db.exec(ddl);
      const statements = sample('sqlite', 3);
      const rejected = await runAll(statements, (sql) => {
        const prepared = db.prepare(sql);
        return prepared.reader ? prepared.all() : prepared.run();
      });
      expect(rejected.slice(0, 3), `${rejected.length} rejected`).toEqual([]);
      await expectLabels(reader, meter, [
        ...statements,
        ...DDL.map((_, i) => ({ sql: '', operation: 'CREATE', table: TABLES[i] })),
      ]);
    } finally {
      db.close();
    }
  });

  it('PGlite accepts every statement and its labels are the reference', async () => {
    fresh();
    const db = instrumentPGlite(await PGlite.create(), { meter, maxTables: 1000 });
    try {
      for (const ddl of DDL) await db.exec(ddl);
      const statements = sample('postgresql', 4).slice(0, PER_SERVER / 4);
      const rejected = await runAll(statements, (sql) => db.query(sql));
      expect(rejected.slice(0, 3), `${rejected.length} rejected`).toEqual([]);
      await expectLabels(reader, meter, [
        ...statements,
        ...DDL.map((_, i) => ({ sql: '', operation: 'CREATE', table: TABLES[i] })),
      ]);
    } finally {
      await db.close();
    }
  });
});
