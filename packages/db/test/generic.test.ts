import { createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { createTestReader, type TestReader } from '@agentmeter/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCacheTracker, createQueryTracker } from '../src/index.ts';

describe('createQueryTracker and createCacheTracker', () => {
  let meter: AgentMeter;
  let reader: TestReader;
  beforeEach(() => {
    meter = createAgentMeter();
    reader = createTestReader(meter);
  });
  afterEach(() => reader.shutdown());

  it('times sync and async queries by parsed statement or named operation, returning what fn returns', async () => {
    const db = createQueryTracker({ meter, dbSystem: 'mongodb' });
    const value = { id: 1 };
    expect(db.query('SELECT * FROM users', () => value)).toBe(value);
    const promise = Promise.resolve([value]);
    expect(db.query({ operation: 'find', table: 'users' }, () => promise)).toBe(promise);
    await promise;
    const boom = new Error('duplicate key');
    expect(() =>
      db.query({ operation: 'insertOne', table: 'users' }, () => {
        throw boom;
      }),
    ).toThrow(boom);
    await expect(db.query({ operation: 'find', table: 'users' }, () => Promise.reject(boom))).rejects.toBe(boom);
    const m = await reader.collect();
    const q = meter.instruments.dbQueries.otelName;
    expect(m.value(q, { db_system: 'mongodb', operation: 'SELECT', table: 'users', status: 'success' })).toBe(1);
    expect(m.value(q, { db_system: 'mongodb', operation: 'find', table: 'users', status: 'success' })).toBe(1);
    expect(m.value(q, { db_system: 'mongodb', operation: 'find', table: 'users', status: 'error' })).toBe(1);
    expect(m.value(q, { db_system: 'mongodb', operation: 'insertOne', table: 'users', status: 'error' })).toBe(1);
  });

  it('counts transactions by outcome', async () => {
    const db = createQueryTracker({ meter, dbSystem: 'mongodb' });
    expect(db.transaction(() => 'ok')).toBe('ok');
    await db.transaction(async () => 'ok');
    expect(() =>
      db.transaction(() => {
        throw new Error('abort');
      }),
    ).toThrow('abort');
    await expect(
      db.transaction(async () => {
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const m = await reader.collect();
    const tx = meter.instruments.dbTransactions.otelName;
    expect(m.value(tx, { db_system: 'mongodb', status: 'commit' })).toBe(2);
    expect(m.value(tx, { db_system: 'mongodb', status: 'rollback' })).toBe(2);
  });

  it('counts cache hits, misses, writes and errors, and the hit ratio', async () => {
    const cache = createCacheTracker({ meter, cache: 'lru' });
    const store = new Map<string, string>([['a', '1']]);
    expect(cache.read('get', () => store.get('a'))).toBe('1');
    expect(cache.read('get', () => store.get('b'))).toBeUndefined();
    expect(await cache.read('get', async () => store.get('a'))).toBe('1');
    expect(
      cache.read(
        'has',
        () => store.has('z'),
        (found) => found,
      ),
    ).toBe(false);
    cache.write('set', () => store.set('c', '3'));
    await expect(cache.write('set', () => Promise.reject(new Error('full')))).rejects.toThrow('full');
    expect(() =>
      cache.read('get', () => {
        throw new Error('down');
      }),
    ).toThrow('down');
    const m = await reader.collect();
    const ops = (operation: string, result: string): number | undefined =>
      m.value(meter.instruments.cacheOperations.otelName, { cache: 'lru', operation, result });
    expect([
      ops('get', 'hit'),
      ops('get', 'miss'),
      ops('has', 'miss'),
      ops('set', 'ok'),
      ops('set', 'error'),
      ops('get', 'error'),
    ]).toEqual([2, 1, 1, 1, 1, 1]);
    expect(m.value(meter.instruments.cacheHitRatio.otelName, { cache: 'lru' })).toBe(0.5);
  });

  it('bounds hostile operation names and statements', async () => {
    const db = createQueryTracker({ meter, dbSystem: 'mongodb', maxTables: 5 });
    const cache = createCacheTracker({ meter });
    for (let i = 0; i < 2000; i++) {
      db.query(`SELECT * FROM t_${i} WHERE secret = 'token-${i}'`, () => i);
      db.query({ operation: `op_${i}`, table: `x_${i}` }, () => i);
      cache.read(`read_${i}`, () => i);
    }
    db.query({ operation: 'DROP TABLE users; --', table: 'a b' }, () => 0);
    db.query({ operation: 'x'.repeat(10_000) }, () => 0);
    const m = await reader.collect();
    const series = m.points(meter.instruments.dbQueries.otelName);
    const labels = series.map((point) => JSON.stringify(point.attributes));
    expect(labels.some((label) => label.includes('token-'))).toBe(false);
    const tables = new Set(series.map((point) => point.attributes['table']));
    expect(tables.size).toBe(5 + 2);
    expect(tables.has('_other')).toBe(true);
    const operations = new Set(series.map((point) => point.attributes['operation']));
    expect(operations.has('OTHER')).toBe(true);
    expect(operations.size).toBe(102);
    expect(m.points(meter.instruments.cacheOperations.otelName).length).toBe(101);
  });

  it('fails at creation with a message saying what to change', () => {
    expect(() => createQueryTracker({ meter } as never)).toThrow(/dbSystem is required/);
    expect(() => createCacheTracker({ meter, cache: 'a b' })).toThrow(/options\.cache must be/);
    const db = createQueryTracker({ meter, dbSystem: 'x' });
    // Not a function: nothing runs, nothing is recorded, nothing is thrown into the caller.
    expect(db.query('SELECT 1', 'not a function' as never)).toBeUndefined();
  });
});
