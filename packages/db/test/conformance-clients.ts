import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentMeter } from '@agentmeter/core';
import type { ConformanceFailure } from '@agentmeter/provider-sim';
import { PGlite } from '@electric-sql/pglite';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import {
  instrumentBetterSqlite3,
  instrumentIoredis,
  instrumentMysql2,
  instrumentPg,
  instrumentPGlite,
} from '../src/index.ts';
import { startCutProxy } from './cut-proxy.ts';
import { uniqueName } from './servers.ts';

/** What a scenario gets: the meter to record into and a loopback port nothing listens on. */
export interface Scene {
  readonly meter: AgentMeter;
  readonly refusedPort: number;
}
/** Produces the row's failure through the wrapped client (the promise rejects with the driver's error). */
export type Scenario = (scene: Scene) => Promise<unknown>;
/** Each row of the shared table: how this client meets it, or why it cannot happen to it. */
export type DbRows = Readonly<Record<ConformanceFailure, Scenario | string>>;

const PG = { host: '127.0.0.1', user: 'postgres', database: 'test' } as const;
const MARIADB = { host: '127.0.0.1', user: 'root', database: 'test' } as const;
/** A result of several megabytes, so a cut after its first chunk is mid-body. */
const BIG_PG = "SELECT g, repeat('x', 100) FROM generate_series(1, 200000) g";
const BIG_MARIADB = "SELECT seq, REPEAT('x', 100) FROM seq_1_to_200000";

const NO_RATE_LIMIT =
  "a database has no request rate limit: running out of connections is the server's own code (PostgreSQL 53300 is server_error)";
const NO_GATEWAY = 'no gateway stands between a database client and its server';
const NO_UNAVAILABLE =
  'a database that cannot serve refuses the connection (the connection refused row) or says so in its own code at connect (PostgreSQL 57P03, counted as connection)';
const NO_MALFORMED =
  "the driver parses the server's binary protocol: a real server sends no malformed result, and a broken stream is the dropped mid-body row";
const IN_PROCESS = 'in-process: there is no connection to refuse, drop or authenticate';

async function closing<C, T>(
  client: C,
  run: (client: C) => Promise<T>,
  close: (client: C) => Promise<unknown> | void,
): Promise<T> {
  try {
    return await run(client);
  } finally {
    await Promise.resolve(close(client)).catch(() => undefined);
  }
}

const pgPool = (meter: AgentMeter, options: pg.PoolConfig = {}): pg.Pool =>
  instrumentPg(new pg.Pool({ ...PG, max: 1, ...options }), { meter });
async function pgClient(meter: AgentMeter, port = 5432): Promise<pg.Client> {
  const client = instrumentPg(new pg.Client({ ...PG, port }), { meter });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
const mariadbPool = (meter: AgentMeter, options: mysql.PoolOptions = {}): mysql.Pool =>
  instrumentMysql2(mysql.createPool({ ...MARIADB, connectionLimit: 1, ...options }), { meter });
const redis = (meter: AgentMeter, options: Record<string, unknown> = {}): Redis => {
  const client = instrumentIoredis(
    new Redis({ host: '127.0.0.1', port: 6379, retryStrategy: () => null, maxRetriesPerRequest: 0, ...options }),
    { meter },
  );
  client.on('error', () => undefined);
  return client;
};

/** Cuts a connection through the proxy while a big result flows. */
async function dropMidBody<C>(
  upstream: number,
  open: (port: number) => Promise<C>,
  query: (client: C) => Promise<unknown>,
  close: (client: C) => unknown,
): Promise<unknown> {
  const proxy = await startCutProxy(upstream);
  try {
    const client = await open(proxy.port);
    proxy.arm();
    return await closing(client, query, async (c) => {
      await close(c);
    });
  } finally {
    await proxy.close();
  }
}

/** Runs `query` and, once it is running, cancels it from a second connection. */
async function cancelFromAnotherConnection<T>(query: Promise<T>, cancel: () => Promise<unknown>): Promise<T> {
  const timer = setTimeout(() => void cancel().catch(() => undefined), 300);
  try {
    return await query;
  } finally {
    clearTimeout(timer);
  }
}

export const DB_CLIENTS: Readonly<Record<string, DbRows>> = {
  'pg Pool / Client': {
    'connection refused': ({ meter, refusedPort }) =>
      closing(
        pgPool(meter, { port: refusedPort }),
        (p) => p.query('SELECT 1'),
        (p) => p.end(),
      ),
    'HTTP 401': ({ meter }) =>
      closing(
        pgPool(meter, { user: 'i20_no_such_role' }),
        (p) => p.query('SELECT 1'),
        (p) => p.end(),
      ),
    // pg_monitor may read statistics but not create tables: 42501 insufficient_privilege.
    'HTTP 403': async ({ meter }) =>
      closing(
        await pgClient(meter),
        (c) => c.query(`SET ROLE pg_monitor; CREATE TABLE ${uniqueName('i20_denied')} (a int)`),
        (c) => c.end(),
      ),
    'HTTP 404': ({ meter }) =>
      closing(
        pgPool(meter),
        (p) => p.query('SELECT * FROM i20_no_such_table'),
        (p) => p.end(),
      ),
    'HTTP 429': NO_RATE_LIMIT,
    'HTTP 500': ({ meter }) =>
      closing(
        pgPool(meter),
        (p) => p.query("DO $$ BEGIN RAISE EXCEPTION 'simulated internal error' USING ERRCODE = 'XX000'; END $$"),
        (p) => p.end(),
      ),
    'HTTP 502': NO_GATEWAY,
    'HTTP 503': NO_UNAVAILABLE,
    'client timeout': ({ meter }) =>
      closing(
        pgPool(meter, { query_timeout: 300 }),
        (p) => p.query('SELECT pg_sleep(5)'),
        (p) => p.end(),
      ),
    'dropped mid-body': ({ meter }) =>
      dropMidBody(
        5432,
        (port) => pgClient(meter, port),
        (c) => c.query(BIG_PG),
        (c) => c.end(),
      ),
    'malformed body': NO_MALFORMED,
    // The caller cancels its running query (what psql's Ctrl-C sends): 57014 query_canceled.
    'caller abort': async ({ meter }) =>
      closing(
        await pgClient(meter),
        (c) =>
          cancelFromAnotherConnection(c.query('SELECT pg_sleep(5)'), async () => {
            const admin = new pg.Client(PG);
            await admin.connect();
            await admin
              .query('SELECT pg_cancel_backend($1)', [(c as unknown as { processID: number }).processID])
              .finally(() => admin.end());
          }),
        (c) => c.end(),
      ),
  },
  'mysql2 (MariaDB)': {
    'connection refused': ({ meter, refusedPort }) =>
      closing(
        mariadbPool(meter, { port: refusedPort }),
        (p) => p.query('SELECT 1'),
        (p) => p.end(),
      ),
    'HTTP 401': ({ meter }) =>
      closing(
        mariadbPool(meter, { password: 'not-the-password' }),
        (p) => p.query('SELECT 1'),
        (p) => p.end(),
      ),
    // A user with no privileges reads a table: 1142 (SQLSTATE 42000, shared with syntax errors).
    'HTTP 403': async ({ meter }) => {
      const user = uniqueName('i20_user').slice(0, 32);
      const admin = await mysql.createConnection(MARIADB);
      try {
        await admin.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY 'pw'`);
        return await closing(
          mariadbPool(meter, { user, password: 'pw', database: undefined }),
          (p) => p.query('SELECT * FROM mysql.user'),
          (p) => p.end(),
        );
      } finally {
        await admin.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1'`).finally(() => admin.end());
      }
    },
    'HTTP 404': ({ meter }) =>
      closing(
        mariadbPool(meter),
        (p) => p.query('SELECT * FROM i20_no_such_table'),
        (p) => p.end(),
      ),
    'HTTP 429': NO_RATE_LIMIT,
    'HTTP 500': ({ meter }) =>
      closing(
        mariadbPool(meter),
        (p) => p.query("SIGNAL SQLSTATE 'XX000'"),
        (p) => p.end(),
      ),
    'HTTP 502': NO_GATEWAY,
    'HTTP 503': NO_UNAVAILABLE,
    'client timeout': ({ meter }) =>
      closing(
        mariadbPool(meter),
        (p) => p.query({ sql: 'SELECT SLEEP(2)', timeout: 300 }),
        (p) => p.end(),
      ),
    'dropped mid-body': ({ meter }) =>
      dropMidBody(
        3306,
        async (port) => {
          const connection = instrumentMysql2(await mysql.createConnection({ ...MARIADB, port }), { meter });
          connection.on('error', () => undefined);
          return connection;
        },
        (c) => c.query(BIG_MARIADB),
        (c) => c.destroy(),
      ),
    'malformed body': NO_MALFORMED,
    // KILL QUERY from another connection: 1317 query interrupted (SQLSTATE 70100).
    'caller abort': async ({ meter }) =>
      closing(
        instrumentMysql2(await mysql.createConnection(MARIADB), { meter }),
        (c) =>
          cancelFromAnotherConnection(c.query('SELECT SLEEP(5)'), async () => {
            const admin = await mysql.createConnection(MARIADB);
            await admin.query(`KILL QUERY ${c.threadId}`).finally(() => admin.end());
          }),
        (c) => c.end(),
      ),
  },
  ioredis: {
    'connection refused': ({ meter, refusedPort }) =>
      closing(
        redis(meter, { port: refusedPort }),
        (r) => r.get('i20:key'),
        (r) => r.disconnect(),
      ),
    'HTTP 401': ({ meter }) =>
      closing(
        redis(meter, { username: 'i20_no_such_user', password: 'x' }),
        (r) => r.get('i20:key'),
        (r) => r.disconnect(),
      ),
    // An ACL user allowed GET only writes: NOPERM.
    'HTTP 403': async ({ meter }) => {
      const user = uniqueName('i20_user');
      const admin = new Redis({ host: '127.0.0.1', port: 6379 });
      try {
        await admin.call('ACL', 'SETUSER', user, 'on', '>pw', '~i20:*', '-@all', '+get', '+ping');
        return await closing(
          redis(meter, { username: user, password: 'pw' }),
          async (r) => {
            await r.ping();
            return r.set('i20:key', 'v');
          },
          (r) => r.disconnect(),
        );
      } finally {
        await admin.call('ACL', 'DELUSER', user).finally(() => admin.disconnect());
      }
    },
    'HTTP 404': ({ meter }) =>
      closing(
        redis(meter),
        (r) => r.call('I20NOSUCHCOMMAND'),
        (r) => r.disconnect(),
      ),
    'HTTP 429': NO_RATE_LIMIT,
    // A script's error reply: Redis busy (as when a script runs too long).
    'HTTP 500': ({ meter }) =>
      closing(
        redis(meter),
        (r) => r.eval("return redis.error_reply('BUSY simulated')", 0),
        (r) => r.disconnect(),
      ),
    'HTTP 502': NO_GATEWAY,
    'HTTP 503': NO_UNAVAILABLE,
    'client timeout': ({ meter }) =>
      closing(
        redis(meter, { commandTimeout: 300 }),
        (r) => r.blpop(uniqueName('i20:never'), 5),
        (r) => r.disconnect(),
      ),
    'dropped mid-body': async ({ meter }) => {
      const key = uniqueName('i20:big');
      const setup = new Redis({ host: '127.0.0.1', port: 6379 });
      await setup.set(key, 'x'.repeat(8_000_000), 'EX', 60);
      try {
        return await dropMidBody(
          6379,
          async (port) => {
            const client = redis(meter, { port });
            await client.ping();
            return client;
          },
          (r) => r.get(key),
          (r) => r.disconnect(),
        );
      } finally {
        await setup.del(key).finally(() => setup.disconnect());
      }
    },
    'malformed body': NO_MALFORMED,
    'caller abort':
      'ioredis has no per-command abort (no AbortSignal); disconnect() rejects pending commands as a closed connection',
  },
  PGlite: {
    'connection refused': IN_PROCESS,
    'HTTP 401': IN_PROCESS,
    'HTTP 403': async ({ meter }) =>
      closing(
        instrumentPGlite(await PGlite.create(), { meter }),
        (db) => db.exec('SET ROLE pg_monitor; CREATE TABLE denied (a int)'),
        (db) => db.close(),
      ),
    'HTTP 404': async ({ meter }) =>
      closing(
        instrumentPGlite(await PGlite.create(), { meter }),
        (db) => db.query('SELECT * FROM no_such_table'),
        (db) => db.close(),
      ),
    'HTTP 429': NO_RATE_LIMIT,
    'HTTP 500': async ({ meter }) =>
      closing(
        instrumentPGlite(await PGlite.create(), { meter }),
        (db) => db.query("DO $$ BEGIN RAISE EXCEPTION 'simulated internal error' USING ERRCODE = 'XX000'; END $$"),
        (db) => db.close(),
      ),
    'HTTP 502': NO_GATEWAY,
    'HTTP 503': IN_PROCESS,
    'client timeout':
      "PGlite has no client-side timeout: a query runs in-process to its end (statement_timeout is the server's own cancel, 57014)",
    'dropped mid-body': IN_PROCESS,
    'malformed body': NO_MALFORMED,
    'caller abort': 'PGlite has no way to abort a running query (no AbortSignal, no cancel request)',
  },
  'better-sqlite3': {
    'connection refused': IN_PROCESS,
    'HTTP 401': 'SQLite has no authentication',
    'HTTP 403': 'SQLite has no privileges (better-sqlite3 exposes no authorizer)',
    'HTTP 404': async ({ meter }) =>
      instrumentBetterSqlite3(new Database(':memory:'), { meter }).prepare('SELECT * FROM no_such_table'),
    'HTTP 429': NO_RATE_LIMIT,
    // The database file reached its page limit: SQLITE_FULL.
    'HTTP 500': async ({ meter }) => {
      const db = instrumentBetterSqlite3(new Database(':memory:'), { meter });
      db.pragma('max_page_count = 8');
      db.exec('CREATE TABLE t (b BLOB)');
      return closing(
        db,
        async (d) => d.prepare('INSERT INTO t VALUES (zeroblob(1000000))').run(),
        (d) => {
          d.close();
        },
      );
    },
    'HTTP 502': NO_GATEWAY,
    'HTTP 503': IN_PROCESS,
    // The busy timeout: another connection holds the write lock (SQLITE_BUSY after 100 ms).
    'client timeout': async ({ meter }) => {
      const dir = mkdtempSync(join(tmpdir(), 'agentmeter-i20-'));
      const holder = new Database(join(dir, 'db.sqlite'));
      try {
        holder.exec('CREATE TABLE t (a INTEGER); BEGIN IMMEDIATE');
        const db = instrumentBetterSqlite3(new Database(join(dir, 'db.sqlite'), { timeout: 100 }), { meter });
        return await closing(
          db,
          async (d) => d.prepare('INSERT INTO t VALUES (1)').run(),
          (d) => {
            d.close();
          },
        );
      } finally {
        holder.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    'dropped mid-body': IN_PROCESS,
    'malformed body': NO_MALFORMED,
    'caller abort': 'better-sqlite3 is synchronous and has no interrupt: a caller cannot abort a statement',
  },
};
