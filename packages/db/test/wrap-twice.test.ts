import { wrapTwiceRuns } from '@agentmeter/core/testing';
import { PGlite } from '@electric-sql/pglite';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  instrumentBetterSqlite3,
  instrumentIoredis,
  instrumentMysql2,
  instrumentPg,
  instrumentPGlite,
} from '../src/index.ts';
import { requireServer } from './servers.ts';

/** Each wrapper with a real client, one query to run, and how to close it. */
interface Case {
  readonly wrap: (client: object, options: Record<string, unknown>) => unknown;
  readonly open: () => Promise<object>;
  readonly run: (client: object) => Promise<unknown>;
  readonly close: (client: object) => Promise<unknown>;
}

const CASES: Readonly<Record<string, Case>> = {
  'pg Client': {
    wrap: (c, o) => instrumentPg(c, o as never),
    open: async () => new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' }),
    run: async (c) => {
      await (c as pg.Client).connect();
      return (c as pg.Client).query('SELECT 1');
    },
    close: (c) => (c as pg.Client).end(),
  },
  'pg Pool': {
    wrap: (c, o) => instrumentPg(c, o as never),
    open: async () => new pg.Pool({ host: '127.0.0.1', user: 'postgres', database: 'test', max: 2 }),
    run: (c) => (c as pg.Pool).query('SELECT 1'),
    close: (c) => (c as pg.Pool).end(),
  },
  'mysql2 Pool': {
    wrap: (c, o) => instrumentMysql2(c, o as never),
    open: async () => mysql.createPool({ host: '127.0.0.1', user: 'root', database: 'test', connectionLimit: 2 }),
    run: (c) => (c as mysql.Pool).query('SELECT 1'),
    close: (c) => (c as mysql.Pool).end(),
  },
  ioredis: {
    wrap: (c, o) => instrumentIoredis(c, o as never),
    open: async () => new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true }),
    run: async (c) => {
      await (c as Redis).connect();
      return (c as Redis).get('i20:absent');
    },
    close: (c) => (c as Redis).quit(),
  },
  PGlite: {
    wrap: (c, o) => instrumentPGlite(c, o as never),
    open: () => PGlite.create(),
    run: (c) => (c as PGlite).query('SELECT 1'),
    close: (c) => (c as PGlite).close(),
  },
  'better-sqlite3': {
    wrap: (c, o) => instrumentBetterSqlite3(c, o as never),
    open: async () => new Database(':memory:'),
    run: async (c) => (c as Database.Database).prepare('SELECT 1').get(),
    close: async (c) => (c as Database.Database).close(),
  },
};

describe('wrapping an instrumented database client again', () => {
  beforeAll(async () => {
    await requireServer('PostgreSQL', 5432);
    await requireServer('MariaDB', 3306);
    await requireServer('Redis', 6379);
  });

  it.each(Object.keys(CASES))(
    '%s: changes nothing a scrape sees, whatever the options, and warns once when they differ',
    async (name) => {
      const { wrap, open, run, close } = CASES[name]!;
      const runs = await wrapTwiceRuns(
        open,
        (client, options) => wrap(client, { ...options, pool: 'main' }),
        run,
        (meter) => [{ meter, dbSystem: 'other_sql', pool: 'second', tables: false, cache: 'second' }],
        close,
      );
      expect(runs.map((r) => r.warnings.length)).toEqual([0, 0, 1]);
      expect(runs[2]!.warnings[0]).toMatch(/already instrumented.*first wrap's options stay/);
      expect(runs[0]!.lines.length).toBeGreaterThan(0);
      expect(runs[1]!.lines).toEqual(runs[0]!.lines);
      expect(runs[2]!.lines).toEqual(runs[0]!.lines);
    },
  );
});
