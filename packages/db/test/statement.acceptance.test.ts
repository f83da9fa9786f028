import { PGlite } from '@electric-sql/pglite';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireServer } from './servers.ts';
import { statement, TABLES, type Dialect, type Generated } from './sql-generator.ts';

/**
 * Every statement of the property test (10^5 per dialect, the same seed) is sent to the real
 * servers, which must accept each one: so the generator writes real SQL, and the reference labels
 * the lexer is checked against are those of statements a server runs. Each runs inside its own
 * savepoint, rolled back, so the tables stay empty and every statement sees the same state.
 * Statements go in batches of one round trip each (a batch that fails is rerun one statement at a
 * time, to name the rejected ones); the wrapped clients' labels are checked per statement in
 * statement.servers.test.ts.
 */
const RUNS = 100_000;
const SEED = 20;
const BATCH = 250;
const DDL = TABLES.map((t) => `CREATE TABLE IF NOT EXISTS ${t} (id int, name varchar(400))`);

/** The property test's statements: fc.sample draws the same values as fc.assert for one seed. */
function generated(dialect: Dialect, runs = RUNS): Generated[] {
  return fc.sample(statement(dialect), { numRuns: runs, seed: SEED });
}

/** One statement every server rejects, placed mid-run: the check must name it and nothing else. */
const BAD: Generated = { sql: 'SELECT * FROM i20_no_such_table', operation: 'SELECT', table: 'i20_no_such_table' };
function withBad(statements: Generated[]): Generated[] {
  statements.splice(statements.length / 2, 0, BAD);
  return statements;
}
/** Only BAD was rejected. */
function expectOnlyBad(rejected: readonly string[]): void {
  expect(
    rejected.filter((line) => !line.endsWith(`: ${BAD.sql}`)).slice(0, 3),
    `${rejected.length - 1} of ${RUNS} rejected`,
  ).toEqual([]);
  expect(rejected).toHaveLength(1);
}

/** A statement in its own savepoint; the newline ends a trailing line comment. */
const isolated = (sql: string): string => `SAVEPOINT s;\n${sql}\n;\nROLLBACK TO SAVEPOINT s;\n`;

/**
 * Runs the statements in batches, each batch one transaction rolled back (a single transaction
 * with 10^5 savepoints runs PGlite out of shared memory); returns the statements the server
 * rejected, with its message.
 */
async function rejectedBy(
  statements: readonly Generated[],
  run: (sql: string) => Promise<unknown> | unknown,
  begin = 'BEGIN',
): Promise<string[]> {
  const transaction = (body: string): string => `${begin};\n${body}ROLLBACK;\n`;
  const rollback = async (): Promise<void> => {
    try {
      await run('ROLLBACK');
    } catch {
      // No transaction was left open.
    }
  };
  const rejected: string[] = [];
  for (let start = 0; start < statements.length; start += BATCH) {
    const batch = statements.slice(start, start + BATCH);
    try {
      await run(transaction(batch.map((s) => isolated(s.sql)).join('')));
    } catch {
      await rollback();
      for (const { sql } of batch) {
        try {
          await run(transaction(isolated(sql)));
        } catch (error) {
          rejected.push(`${(error as Error).message}: ${sql}`);
          await rollback();
        }
      }
    }
  }
  return rejected;
}

describe(`the property test's ${RUNS} statements per dialect, on the real servers`, () => {
  beforeAll(async () => {
    await requireServer('PostgreSQL', 5432);
    await requireServer('MariaDB', 3306);
  });

  it('are the statements fc.assert checks (same seed, same values)', () => {
    const seen: string[] = [];
    fc.assert(
      fc.property(statement('postgresql'), ({ sql }) => {
        seen.push(sql);
      }),
      { numRuns: 2000, seed: SEED },
    );
    expect(seen).toEqual(generated('postgresql', 2000).map((s) => s.sql));
  });

  it('PostgreSQL accepts every one', { timeout: 900_000 }, async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
    await client.connect();
    try {
      for (const ddl of DDL) await client.query(ddl);
      const rejected = await rejectedBy(withBad(generated('postgresql')), (sql) => client.query(sql));
      expectOnlyBad(rejected);
    } finally {
      await client.end();
    }
  });

  it('MariaDB accepts every one', { timeout: 900_000 }, async () => {
    const connection = await mysql.createConnection({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      database: 'test',
      multipleStatements: true,
    });
    try {
      for (const ddl of DDL) await connection.query(ddl);
      const rejected = await rejectedBy(
        withBad(generated('mysql')),
        (sql) => connection.query(sql),
        'START TRANSACTION',
      );
      expectOnlyBad(rejected);
    } finally {
      await connection.end();
    }
  });

  it('SQLite (better-sqlite3) accepts every one', { timeout: 900_000 }, async () => {
    const db = new Database(':memory:');
    try {
      for (const ddl of DDL) db.exec(ddl);
      const rejected = await rejectedBy(withBad(generated('sqlite')), (sql) => db.exec(sql));
      expectOnlyBad(rejected);
    } finally {
      db.close();
    }
  });

  it('PGlite accepts every PostgreSQL one', { timeout: 900_000 }, async () => {
    const db = await PGlite.create();
    try {
      for (const ddl of DDL) await db.exec(ddl);
      const rejected = await rejectedBy(withBad(generated('postgresql')), (sql) => db.exec(sql));
      expectOnlyBad(rejected);
    } finally {
      await db.close();
    }
  });
});
