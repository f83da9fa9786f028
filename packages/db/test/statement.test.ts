import { describe, expect, it } from 'vitest';
import { StatementParser } from '../src/index.ts';

const CASES: readonly [string, string, string | undefined, 'commit' | 'rollback' | undefined][] = [
  ['select * from Users where id=$1', 'SELECT', 'users', undefined],
  ['SELECT 1', 'SELECT', undefined, undefined],
  ['insert into "Orders"(a) values (1)', 'INSERT', 'Orders', undefined],
  ['INSERT IGNORE INTO t1 VALUES(1)', 'INSERT', 't1', undefined],
  ['INSERT OR REPLACE INTO kv VALUES (?, ?)', 'INSERT', 'kv', undefined],
  ['REPLACE INTO kv VALUES (1)', 'REPLACE', 'kv', undefined],
  ['update public.accounts set x=1', 'UPDATE', 'public.accounts', undefined],
  ['WITH a AS (SELECT * FROM x) SELECT * FROM a', 'SELECT', 'x', undefined],
  ['with recursive t(n) as (select 1) insert into z select * from t', 'INSERT', 'z', undefined],
  ['  -- a comment\n /* another */ (select a from b) union (select a from c)', 'SELECT', 'b', undefined],
  ["select 'from x' from real_t", 'SELECT', 'real_t', undefined],
  ['select * from (select 1) s', 'SELECT', undefined, undefined],
  ['select * from "weird name"', 'SELECT', undefined, undefined],
  ['BEGIN', 'BEGIN', undefined, undefined],
  ['start transaction', 'BEGIN', undefined, undefined],
  ['COMMIT', 'COMMIT', undefined, 'commit'],
  ['end', 'COMMIT', undefined, 'commit'],
  ['rollback', 'ROLLBACK', undefined, 'rollback'],
  ['ROLLBACK TO SAVEPOINT s1', 'ROLLBACK', undefined, undefined],
  ['rollback work to s1', 'ROLLBACK', undefined, undefined],
  ['create table if not exists am_x (id int)', 'CREATE', 'am_x', undefined],
  ['CREATE TEMPORARY TABLE tmp1 (a int)', 'CREATE', 'tmp1', undefined],
  ['DROP TABLE IF EXISTS am_y', 'DROP', 'am_y', undefined],
  ['create index i on t(a)', 'CREATE', undefined, undefined],
  ['TRUNCATE TABLE t2', 'TRUNCATE', 't2', undefined],
  ['pragma journal_mode', 'PRAGMA', undefined, undefined],
  ['DROP DATABASE evil', 'DROP', undefined, undefined],
  ['foo bar', 'OTHER', undefined, undefined],
  ['', 'OTHER', undefined, undefined],
  ['"quoted" first', 'OTHER', undefined, undefined],
];

/** Statements whose labels depend on the dialect's lexical rules: [dialect, sql, operation, table]. */
const DIALECT_CASES: readonly [string, string, string, string | undefined][] = [
  ['postgresql', 'SELECT $$greetings from jane_doe$$ AS note, id FROM items', 'SELECT', 'items'],
  ['postgresql', 'SELECT $tag$ from $$x$$ from evil $tag$ FROM items', 'SELECT', 'items'],
  ['postgresql', "SELECT E'it\\'s from secret_t' FROM items", 'SELECT', 'items'],
  ['postgresql', 'SELECT 1 /* a /* nested from evil */ from evil2 */ FROM items', 'SELECT', 'items'],
  ['postgresql', 'SELECT "from evil" FROM public."Items"', 'SELECT', 'public.Items'],
  ['postgresql', 'SELECT a$b FROM items WHERE id = $1', 'SELECT', 'items'],
  ['postgresql', 'WITH w AS (UPDATE items SET a = 1 RETURNING *) SELECT * FROM w', 'SELECT', 'items'],
  ['postgresql', 'UPDATE items SET a = o.a FROM orders o WHERE o.id = items.id', 'UPDATE', 'items'],
  ['postgresql', 'DELETE FROM ONLY items USING orders WHERE orders.id = items.id', 'DELETE', 'items'],
  ['postgresql', 'INSERT INTO archive (id) SELECT id FROM items', 'INSERT', 'archive'],
  ['postgresql', 'SELECT * FROM generate_series(1, 3)', 'SELECT', undefined],
  ['postgresql', 'SELECT a IS DISTINCT FROM b', 'SELECT', undefined],
  ['postgresql', 'SELECT extract(year from now()) FROM items', 'SELECT', 'items'],
  ['postgresql', "COMMIT PREPARED 'tx1'", 'COMMIT', undefined],
  ['mysql', "SELECT 'O\\'Brien from evil' FROM items", 'SELECT', 'items'],
  ['mysql', 'SELECT "a \\" from evil" FROM items', 'SELECT', 'items'],
  ['mysql', 'SELECT 1 # from evil\nFROM items', 'SELECT', 'items'],
  ['mysql', 'SELECT 1 -- from evil\nFROM items', 'SELECT', 'items'],
  ['mysql', 'SELECT 1--1 FROM items', 'SELECT', 'items'],
  ['mysql', 'delete from `tbl` where 1', 'DELETE', 'tbl'],
  ['mysql', 'DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id', 'DELETE', 't1'],
  ['mysql', 'INSERT items VALUES (1)', 'INSERT', 'items'],
  ['mysql', '/*!40101 SET NAMES utf8 */', 'OTHER', undefined],
  ['mysql', 'SELECT @from := 1 FROM items', 'SELECT', 'items'],
  ['sqlite', 'SELECT [from evil] FROM [items]', 'SELECT', 'items'],
  ['sqlite', 'INSERT OR REPLACE INTO kv VALUES (?1, :name, @x, $y)', 'INSERT', 'kv'],
  ['sqlite', "SELECT 'it''s from evil' FROM `items`", 'SELECT', 'items'],
  ['ansi', "SELECT 'from evil' FROM items", 'SELECT', 'items'],
];

describe('StatementParser by dialect', () => {
  it.each(DIALECT_CASES)('%s: %j is %s on %s', (dialect, sql, operation, table) => {
    const shape = new StatementParser(dialect).shape(sql);
    expect([shape.operation, shape.table]).toEqual([operation, table]);
  });

  it('labels no table where standard_conforming_strings decides the reading', () => {
    const parser = new StatementParser('postgresql');
    // On (the default) the string is 'a\', then FROM items; off, the string runs on to 'x'.
    expect(parser.shape("SELECT 'a\\' FROM items WHERE b = ' FROM evil'").table).toBeUndefined();
    expect(parser.shape("SELECT 'a\\b' FROM items").table).toBe('items');
  });

  it('reads PGlite, MariaDB and unknown systems by their dialect', () => {
    expect(new StatementParser('pglite').dialect).toBe('postgresql');
    expect(new StatementParser('mariadb').dialect).toBe('mysql');
    expect(new StatementParser('mongodb').dialect).toBe('ansi');
  });
});

describe('StatementParser', () => {
  it.each(CASES)('%j is %s on %s', (sql, operation, table, transaction) => {
    expect(new StatementParser().shape(sql)).toEqual({ operation, table, transaction });
  });

  it('labels non-strings OTHER', () => {
    const parser = new StatementParser();
    for (const value of [undefined, null, 42, Number.NaN, Infinity, -1, {}, [], Symbol('s'), () => 'SELECT']) {
      expect(parser.shape(value).operation).toBe('OTHER');
    }
  });

  it('never labels literal values, and rejects table names that are not plain identifiers', () => {
    const parser = new StatementParser();
    expect(parser.shape("SELECT * FROM users WHERE password = 'hunter2'")).toEqual({
      operation: 'SELECT',
      table: 'users',
      transaction: undefined,
    });
    expect(parser.shape("SELECT 'x' FROM \"Robert'); DROP TABLE students;--\"").table).toBeUndefined();
    expect(parser.shape(`SELECT * FROM ${'t'.repeat(64)}`).table).toBeUndefined();
    expect(parser.shape('SELECT * FROM tëst').table).toBeUndefined();
  });

  it('reads only the head of a huge statement and keeps its cache bounded', () => {
    const parser = new StatementParser();
    const huge = `INSERT INTO big VALUES ${'(1, 2, 3), '.repeat(500_000)}(1, 2, 3)`;
    expect(huge.length).toBeGreaterThan(5_000_000);
    expect(parser.shape(huge)).toEqual({ operation: 'INSERT', table: 'big', transaction: undefined });
    expect(parser.shape(`/* ${'x'.repeat(1_000_000)}`).operation).toBe('OTHER');
    expect(parser.shape(`SELECT ${"'".repeat(100_000)}`).operation).toBe('SELECT');
    expect(parser.shape('('.repeat(100_000)).operation).toBe('OTHER');
    expect(parser.cacheSize).toBe(0);
    for (let i = 0; i < 5000; i++) parser.shape(`SELECT * FROM t_${i}`);
    expect(parser.cacheSize).toBe(1000);
    expect(parser.shape('SELECT * FROM t_4999').table).toBe('t_4999');
  });
});
