import { cpus, loadavg } from 'node:os';
import { createAgentMeter } from '@agentmeter/core';
import { PGlite } from '@electric-sql/pglite';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createTestReader } from '@agentmeter/core/testing';
import { fmt, nsPerOp, ratio, table } from '../../../scripts/bench-kit.ts';
import {
  instrumentBetterSqlite3,
  instrumentIoredis,
  instrumentMysql2,
  instrumentPg,
  instrumentPGlite,
} from '../src/index.ts';
import { resolveOptions } from '../src/options.ts';
import { QueryRecorder } from '../src/recorder.ts';
import { StatementParser } from '../src/statement.ts';

interface Comparison {
  readonly name: string;
  readonly baseline: number;
  readonly wrapped: number;
}

const median = (samples: readonly number[]): number =>
  samples.toSorted((x, y) => x - y)[Math.floor(samples.length / 2)]!;
const noop = (): void => undefined;

/** Median ns per call over alternating rounds, so drift on a shared machine hits both sides alike. */
async function compare(
  name: string,
  baseline: () => unknown,
  wrapped: () => unknown,
  iterations: number,
  rounds = 7,
): Promise<Comparison> {
  const time = async (fn: () => unknown): Promise<number> => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    return Number(process.hrtime.bigint() - start) / iterations;
  };
  await time(baseline);
  await time(wrapped);
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < rounds; round++) {
    a.push(await time(baseline));
    b.push(await time(wrapped));
  }
  return { name, baseline: median(a), wrapped: median(b) };
}

/** A synchronous loop, for better-sqlite3: no await between calls. */
function compareSync(
  name: string,
  baseline: () => unknown,
  wrapped: () => unknown,
  iterations: number,
  rounds = 7,
): Comparison {
  const time = (fn: () => unknown): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    return Number(process.hrtime.bigint() - start) / iterations;
  };
  time(baseline);
  time(wrapped);
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < rounds; round++) {
    a.push(time(baseline));
    b.push(time(wrapped));
  }
  return { name, baseline: median(a), wrapped: median(b) };
}

/** In process, both sides run on the same instance: the baseline calls the class's own method. */
async function inProcess(): Promise<Comparison[]> {
  const meter = createAgentMeter({ exemplars: false });
  const db = instrumentBetterSqlite3(new Database(':memory:'), { meter });
  db.exec('CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT)');
  const insert = db.prepare('INSERT INTO kv VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < 1024; i++) insert.run(i, `v${i}`);
  })();
  const get = db.prepare('SELECT v FROM kv WHERE k = ?');
  const update = db.prepare('UPDATE kv SET v = ? WHERE k = ?');
  const statementClass = Object.getPrototypeOf(get) as {
    get: (...args: unknown[]) => unknown;
    run: (...args: unknown[]) => unknown;
  };
  const prepare = Object.getPrototypeOf(db).prepare as (sql: string) => typeof get;
  let i = 0;
  const results = [
    compareSync(
      'better-sqlite3 get() by primary key',
      () => statementClass.get.call(get, i++ & 1023),
      () => get.get(i++ & 1023),
      100_000,
    ),
    compareSync(
      'better-sqlite3 run() UPDATE',
      () => statementClass.run.call(update, 'x', i++ & 1023),
      () => update.run('x', i++ & 1023),
      50_000,
    ),
    compareSync(
      'better-sqlite3 prepare() + get()',
      () => statementClass.get.call(prepare.call(db, 'SELECT v FROM kv WHERE k = ?'), 1),
      () => db.prepare('SELECT v FROM kv WHERE k = ?').get(1),
      20_000,
    ),
  ];
  db.close();
  const lite = instrumentPGlite(await PGlite.create(), { meter });
  const query = Object.getPrototypeOf(lite).query as PGlite['query'];
  results.push(
    await compare(
      'PGlite query(SELECT $1)',
      () => query.call(lite, 'SELECT $1::int AS x', [1]),
      () => lite.query('SELECT $1::int AS x', [1]),
      300,
      11,
    ),
  );
  await lite.close();
  return results;
}

async function servers(): Promise<Comparison[] | string> {
  const meter = createAgentMeter({ exemplars: false });
  const pgConfig = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
  const myConfig = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test' };
  const results: Comparison[] = [];
  try {
    const [a, b] = [new pg.Client(pgConfig), instrumentPg(new pg.Client(pgConfig), { meter })];
    await a.connect();
    await b.connect();
    results.push(
      await compare(
        'pg Client query(SELECT $1)',
        () => a.query('SELECT $1::int AS x', [1]),
        () => b.query('SELECT $1::int AS x', [1]),
        1000,
        5,
      ),
    );
    await a.end();
    await b.end();
    const [c, d] = [
      await mysql.createConnection(myConfig),
      instrumentMysql2(await mysql.createConnection(myConfig), { meter }),
    ];
    results.push(
      await compare(
        'mysql2 promise query(SELECT ?)',
        () => c.query('SELECT ? AS x', [1]),
        () => d.query('SELECT ? AS x', [1]),
        1000,
        5,
      ),
    );
    await c.end();
    await d.end();
    const [e, f] = [new Redis({ host: '127.0.0.1' }), instrumentIoredis(new Redis({ host: '127.0.0.1' }), { meter })];
    const key = `am_bench_${process.pid}`;
    results.push(
      await compare(
        'ioredis get (miss)',
        () => e.get(key),
        () => f.get(key),
        2000,
        5,
      ),
    );
    const pipeline = (client: Redis) => () => {
      const p = client.pipeline();
      for (let i = 0; i < 100; i++) p.get(key);
      return p.exec();
    };
    results.push(await compare('ioredis pipeline of 100 gets', pipeline(e), pipeline(f), 100, 5));
    e.disconnect();
    f.disconnect();
    return results;
  } catch (error) {
    return (
      `Not measured against the servers: ${error instanceof Error ? error.message : String(error)}. ` +
      'Start PostgreSQL, MariaDB and Redis on 127.0.0.1 (see packages/db/test/servers.ts).'
    );
  }
}

/** The wrappers' own CPU work per query, apart from any I/O: what the network figures hide in their noise. */
async function bookkeeping(): Promise<string[][]> {
  const meter = createAgentMeter({ exemplars: false });
  const otel = createTestReader().provider.getMeter('bench');
  const histogram = otel.createHistogram('db.query.duration');
  const counter = otel.createCounter('db.queries');
  const attributes = { db_system: 'postgresql', operation: 'SELECT', table: 'users', status: 'success' };
  const recorder = new QueryRecorder(resolveOptions('bench', { meter }, 'postgresql'));
  const sql = 'SELECT id, name FROM users WHERE id = $1';
  const redis = new Redis({ lazyConnect: true });
  // The real client's sendCommand is replaced by a no-op first, so only the wrapper's work is timed.
  redis.sendCommand = (() => undefined) as unknown as Redis['sendCommand'];
  instrumentIoredis(redis, { meter });
  const rawOtel = nsPerOp(() => {
    const started = performance.now();
    histogram.record((performance.now() - started) / 1000, attributes);
    counter.add(1, attributes);
  }, 50_000);
  const sqlQuery = nsPerOp(() => recorder.statement(sql).finish(performance.now(), false));
  const redisCommand = nsPerOp(() => {
    const command = { name: 'get', resolve: noop, reject: noop };
    redis.sendCommand(command as never);
    (command.resolve as (value: unknown) => void)(null);
  }, 50_000);
  redis.disconnect();
  // A statement seen for the first time is lexed and analysed (then cached): a fresh parser each call.
  const cte =
    "WITH recent AS (SELECT id, name FROM orders WHERE created_at > now() - interval '1 day' AND note <> $$from x$$) " +
    "SELECT r.id, r.name, c.email FROM recent r JOIN customers c ON c.id = r.id WHERE c.name = E'O\\'Brien' /* from y */ ORDER BY r.id LIMIT 50";
  const firstSimple = nsPerOp(() => new StatementParser('postgresql').shape(sql), 20_000);
  const firstCte = nsPerOp(() => new StatementParser('postgresql').shape(cte), 20_000);
  return [
    ['raw OTel API: 2 clock reads, histogram.record + counter.add with attributes (baseline)', fmt(rawOtel), '1.00x'],
    ['SQL query: cached statement lookup, 2 clock reads, 2 pre-bound updates', fmt(sqlQuery), ratio(sqlQuery, rawOtel)],
    [
      'Redis command: wrap, 2 clock reads, 2 pre-bound updates, cache hit/miss',
      fmt(redisCommand),
      ratio(redisCommand, rawOtel),
    ],
    [
      `first sight of a statement: lex and analyse ${sql.length} characters (then cached)`,
      fmt(firstSimple),
      ratio(firstSimple, rawOtel),
    ],
    [
      `first sight of a statement: lex and analyse a ${cte.length}-character CTE (then cached)`,
      fmt(firstCte),
      ratio(firstCte, rawOtel),
    ],
  ];
}

function rows(results: readonly Comparison[]): string[][] {
  return results.map(({ name, baseline, wrapped }) => [
    name,
    fmt(baseline / 1000, 2),
    fmt(wrapped / 1000, 2),
    fmt(wrapped - baseline),
    ratio(wrapped, baseline),
  ]);
}

/** Per-query overhead of the wrappers against the same client unwrapped. */
export async function run(): Promise<string> {
  const own = await bookkeeping();
  const local = await inProcess();
  const remote = await servers();
  const header = ['query', 'unwrapped µs', 'wrapped µs', 'overhead ns', 'ratio'];
  return [
    '### @agentmeter/db: per-query overhead of the wrappers',
    '',
    'Median of alternating rounds (unwrapped, wrapped). In process both sides run on the same instance',
    "(the baseline calls the class's own method); against the servers, two connections to the same server.",
    `Load average while measuring: ${loadavg()
      .map((load) => load.toFixed(1))
      .join(', ')} on ${cpus().length} cores;`,
    'each query reads the clock twice, and on a loaded machine a clock read alone costs a few hundred ns.',
    '',
    'The bookkeeping each wrapped query adds, timed apart from any I/O:',
    '',
    table(['work per query', 'ns', 'ratio'], own),
    '',
    'In process (where overhead shows most):',
    '',
    table(header, rows(local)),
    '',
    'Against PostgreSQL, MariaDB and Redis on 127.0.0.1:',
    '',
    typeof remote === 'string' ? remote : table(header, rows(remote)),
  ].join('\n');
}
