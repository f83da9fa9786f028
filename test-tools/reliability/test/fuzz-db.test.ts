import { createAgentMeter } from '@agentmeter/core';
import { createTestReader } from '@agentmeter/core/testing';
import {
  instrumentBetterSqlite3,
  instrumentIoredis,
  instrumentMysql2,
  instrumentPg,
  instrumentPGlite,
} from '@agentmeter/db';
import { PGlite } from '@electric-sql/pglite';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireServer } from '../../../packages/db/test/servers.ts';
import { captureDiag, dataProblems, type CapturedDiag } from '../src/checks.ts';
import { settle } from '../src/compare.ts';
import { reportFigure } from '../src/figures.ts';
import { FUZZ_SEED, hostileNumber, hostileParameter, hostileString, SECRETS } from '../src/hostile.ts';

const RUNS = Number(process.env['AGENTMETER_FUZZ_WRAPPER_RUNS'] ?? 60);
const SERIES_LIMIT = 200;
const meter = createAgentMeter({ seriesLimit: SERIES_LIMIT });
const reader = createTestReader(meter);
let captured: CapturedDiag;
let calls = 0;

beforeAll(() => {
  captured = captureDiag();
});
afterAll(async () => {
  reportFigure('calls fuzzed: @agentmeter/db wrappers', calls);
  await reader.shutdown();
  captured.restore();
});

/** SQL that a caller may send: valid statements carrying secrets in literals, and arbitrary text. */
const sqlText = (placeholder: (index: number) => string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      `SELECT ${placeholder(1)} AS v`,
      `SELECT '${SECRETS[0]}' AS leaked, ${placeholder(1)} AS v`,
      `SELECT * FROM "${SECRETS[1]}" WHERE v = ${placeholder(1)}`,
      `/* ${SECRETS[2]} */ SELECT ${placeholder(1)} AS v`,
      `UPDATE nowhere SET secret = ${placeholder(1)}`,
    ),
    hostileString.filter((text) => text.length < 4_000),
  );

async function sameThroughBoth(plain: () => unknown, wrapped: () => unknown): Promise<void> {
  calls++;
  const [expected, actual] = [await settle(plain), await settle(wrapped)];
  expect(actual).toEqual(expected);
}

describe('@agentmeter/db wrappers under fuzzed statements and parameters', () => {
  it('better-sqlite3: prepare/all/get/run/exec results and errors unchanged', async () => {
    const schema = 'CREATE TABLE t (id INTEGER PRIMARY KEY, v)';
    const plain = new Database(':memory:');
    const wrapped = instrumentBetterSqlite3(new Database(':memory:'), { meter });
    plain.exec(schema);
    wrapped.exec(schema);
    const statement = fc.oneof(
      sqlText(() => '?'),
      fc.constantFrom(
        'INSERT INTO t (v) VALUES (?)',
        'SELECT count(*) AS c FROM t WHERE v = ?',
        'DELETE FROM t WHERE v = ?',
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        statement,
        hostileParameter,
        fc.constantFrom('all', 'get', 'run', 'exec'),
        async (sql, parameter, method) => {
          const run = (db: Database.Database) => (): unknown =>
            method === 'exec' ? db.exec(sql) : db.prepare(sql)[method](parameter);
          await sameThroughBoth(run(plain), run(wrapped));
        },
      ),
      { numRuns: RUNS * 5, seed: 21 + FUZZ_SEED },
    );
    plain.close();
    wrapped.close();
  });

  it('pg Pool: query results and errors unchanged against PostgreSQL', async () => {
    await requireServer('PostgreSQL', 5432);
    const config = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 2 };
    const plain = new pg.Pool(config);
    const wrapped = instrumentPg(new pg.Pool(config), { meter });
    await fc.assert(
      fc.asyncProperty(
        sqlText((i) => `$${i}::text`),
        hostileParameter,
        async (sql, parameter) => {
          await sameThroughBoth(
            () => plain.query(sql, [parameter]),
            () => wrapped.query(sql, [parameter]),
          );
        },
      ),
      { numRuns: RUNS, seed: 22 + FUZZ_SEED },
    );
    await Promise.all([plain.end(), wrapped.end()]);
  });

  it('mysql2 promise pool: query results and errors unchanged against MariaDB', async () => {
    await requireServer('MariaDB', 3306);
    const config = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test', connectionLimit: 2 };
    const plain = mysql.createPool(config);
    const wrapped = instrumentMysql2(mysql.createPool(config), { meter });
    await fc.assert(
      fc.asyncProperty(
        sqlText(() => '?'),
        hostileParameter,
        async (sql, parameter) => {
          await sameThroughBoth(
            () => plain.query(sql, [parameter]),
            () => wrapped.query(sql, [parameter]),
          );
        },
      ),
      { numRuns: RUNS, seed: 23 + FUZZ_SEED },
    );
    await Promise.all([plain.end(), wrapped.end()]);
  });

  it('ioredis: command results and errors unchanged against Redis', async () => {
    await requireServer('Redis', 6379);
    const prefix = `rel:${process.pid}:`;
    const plain = new Redis({ host: '127.0.0.1', port: 6379, keyPrefix: `${prefix}plain:`, maxRetriesPerRequest: 0 });
    const wrapped = instrumentIoredis(
      new Redis({ host: '127.0.0.1', port: 6379, keyPrefix: `${prefix}wrapped:`, maxRetriesPerRequest: 0 }),
      { meter },
    );
    const command = fc.constantFrom('get', 'set', 'incr', 'append', 'strlen', 'del', 'exists', 'getdel');
    const key = fc.oneof(
      fc.constantFrom('k1', 'k2', SECRETS[0]!),
      hostileString.filter((text) => text.length < 1_000),
    );
    // ioredis itself crashes the process on a proxy or throwing getter as a value (an uncaught throw
    // on its next tick, plain client too), so Redis gets every other hostile kind.
    const redisValue = fc.oneof(
      hostileNumber,
      hostileString,
      fc.constantFrom(null, undefined, true, 10n ** 30n, [1, 'a'], {}),
    );
    await fc.assert(
      fc.asyncProperty(command, key, redisValue, async (name, k, value) => {
        const run = (client: Redis) => (): unknown => {
          const method = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!;
          return ['set', 'append'].includes(name) ? method.call(client, k, value) : method.call(client, k);
        };
        await sameThroughBoth(run(plain), run(wrapped));
      }),
      { numRuns: RUNS * 2, seed: 24 + FUZZ_SEED },
    );
    const cleaner = new Redis({ host: '127.0.0.1', port: 6379 });
    const own = await cleaner.keys(`${prefix}*`);
    if (own.length > 0) await cleaner.del(...own);
    cleaner.disconnect();
    plain.disconnect();
    wrapped.disconnect();
  });

  it('PGlite: the same statements give the same results and errors before and after instrumenting', async () => {
    // One PGlite (a whole Postgres in WebAssembly, seconds to start): the statements are stateless,
    // so they run plain, then again on the same instance once instrumented.
    const statements = fc.sample(
      fc.tuple(
        sqlText((i) => `$${i}::text`),
        hostileParameter,
        fc.constantFrom('query', 'exec'),
      ),
      { numRuns: RUNS, seed: 25 + FUZZ_SEED },
    );
    const db = await PGlite.create();
    const runAll = async (): Promise<unknown[]> => {
      const outcomes: unknown[] = [];
      for (const [sql, parameter, method] of statements)
        outcomes.push(await settle(() => (method === 'exec' ? db.exec(sql) : db.query(sql, [parameter]))));
      return outcomes;
    };
    const expected = await runAll();
    expect(instrumentPGlite(db, { meter })).toBe(db);
    expect(await runAll()).toEqual(expected);
    calls += statements.length;
    await db.close();
  }, 180_000);

  it('puts no literal, key or secret into a label, and exports no NaN', async () => {
    const snapshot = await reader.collect();
    // dataProblems also checks every label for the suite's secrets and prompts.
    expect(dataProblems(snapshot, SERIES_LIMIT)).toEqual([]);
    expect(snapshot.points(meter.instruments.dbQueries.otelName).length).toBeGreaterThan(3);
    expect(captured.problems()).toEqual([]);
  });
});
