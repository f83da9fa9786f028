import { createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { createTestReader, type MetricsSnapshot, type TestReader } from '@agentmeter/core/testing';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentIoredis } from '../src/index.ts';
import { closedPort, requireServer, uniqueName } from './servers.ts';

describe('instrumentIoredis against Redis on 127.0.0.1:6379', () => {
  let meter: AgentMeter;
  let reader: TestReader;
  let redis: Redis;
  const prefix = `${uniqueName('am')}:`;
  const cacheOps = (m: MetricsSnapshot, operation: string, result: string): number | undefined =>
    m.value(meter.instruments.cacheOperations.otelName, { cache: 'sessions', operation, result });
  const queries = (m: MetricsSnapshot, operation: string, status = 'success'): number | undefined =>
    m.value(meter.instruments.dbQueries.otelName, { db_system: 'redis', operation, status });

  beforeAll(() => requireServer('Redis', 6379));
  beforeEach(() => {
    meter = createAgentMeter();
    reader = createTestReader(meter);
    redis = instrumentIoredis(new Redis({ host: '127.0.0.1', port: 6379, keyPrefix: prefix }), {
      meter,
      cache: 'sessions',
    });
  });
  afterEach(async () => {
    const keys = await redis.keys('*');
    const own = keys.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
    if (own.length > 0) await redis.del(...own);
    redis.disconnect();
    await reader.shutdown();
  });

  it("counts hits, misses and writes, and the hit ratio, returning ioredis's own replies", async () => {
    expect(await redis.set('user:1', 'ada')).toBe('OK');
    expect(await redis.get('user:1')).toBe('ada');
    expect(await redis.get('user:2')).toBeNull();
    expect(await redis.get('user:3')).toBeNull();
    expect(await redis.mget('user:1', 'user:2')).toEqual(['ada', null]);
    expect(await redis.hgetall('profile:1')).toEqual({});
    expect(await redis.exists('user:1')).toBe(1);
    const m = await reader.collect();
    expect(cacheOps(m, 'set', 'ok')).toBe(1);
    expect(cacheOps(m, 'get', 'hit')).toBe(1);
    expect(cacheOps(m, 'get', 'miss')).toBe(2);
    expect(cacheOps(m, 'mget', 'hit')).toBe(1);
    expect(cacheOps(m, 'mget', 'miss')).toBe(1);
    expect(cacheOps(m, 'hgetall', 'miss')).toBe(1);
    expect(cacheOps(m, 'exists', 'hit')).toBe(1);
    // 3 hits out of 7 reads.
    expect(m.value(meter.instruments.cacheHitRatio.otelName, { cache: 'sessions' })).toBe(3 / 7);
    expect(queries(m, 'GET')).toBe(3);
    expect(
      m.histogram(meter.instruments.dbQueryDuration.otelName, {
        db_system: 'redis',
        operation: 'GET',
        status: 'success',
      })?.count,
    ).toBe(3);
    // The connection handshake (HELLO, CLIENT SETINFO, INFO) is not counted.
    expect(queries(m, 'INFO')).toBeUndefined();
    expect(queries(m, 'CLIENT', 'error')).toBeUndefined();
  });

  it('counts each command of a pipeline, and MULTI results from the EXEC reply', async () => {
    await redis.set('a', '1');
    const piped = await redis.pipeline().get('a').get('b').set('c', '3').exec();
    expect(piped).toEqual([
      [null, '1'],
      [null, null],
      [null, 'OK'],
    ]);
    const multi = await redis.multi().get('a').get('b').incr('n').exec();
    expect(multi).toEqual([
      [null, '1'],
      [null, null],
      [null, 1],
    ]);
    const m = await reader.collect();
    expect(cacheOps(m, 'get', 'hit')).toBe(2);
    expect(cacheOps(m, 'get', 'miss')).toBe(2);
    expect(cacheOps(m, 'set', 'ok')).toBe(2);
    expect(cacheOps(m, 'incr', 'ok')).toBe(1);
    expect(queries(m, 'GET')).toBe(4);
    expect(queries(m, 'MULTI')).toBe(1);
    expect(queries(m, 'EXEC')).toBe(1);
    expect(m.value(meter.instruments.dbTransactions.otelName, { db_system: 'redis', status: 'commit' })).toBe(1);
  });

  it('counts DISCARD and a WATCH-aborted EXEC as rollbacks, and command errors', async () => {
    await redis.set('w', '1');
    await redis.watch('w');
    const other = new Redis({ host: '127.0.0.1', port: 6379, keyPrefix: prefix });
    await other.set('w', '2');
    other.disconnect();
    expect(await redis.multi().set('w', '3').exec()).toBeNull();
    await redis.multi({ pipeline: false });
    await redis.set('x', '1');
    expect(await redis.discard()).toBe('OK');
    const wrongType = await redis.hget('w', 'field').catch((e: unknown) => e);
    expect((wrongType as Error).message).toMatch(/^WRONGTYPE/);
    const m = await reader.collect();
    const tx = meter.instruments.dbTransactions.otelName;
    expect(m.value(tx, { db_system: 'redis', status: 'rollback' })).toBe(2);
    expect(m.value(tx, { db_system: 'redis', status: 'commit' })).toBe(0);
    expect(cacheOps(m, 'hget', 'error')).toBe(1);
    expect(queries(m, 'HGET', 'error')).toBe(1);
    expect(m.value(meter.instruments.errors.otelName, { error_type: 'bad_request', component: 'db' })).toBe(1);
  });

  it('counts commands refused by a server that is not there', async () => {
    const port = await closedPort();
    const down = instrumentIoredis(
      new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true }),
      { meter, cache: 'down' },
    );
    down.on('error', () => undefined);
    await down.connect().catch(() => undefined);
    const error = await down.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const m = await reader.collect();
    expect(
      m.value(meter.instruments.cacheOperations.otelName, { cache: 'down', operation: 'get', result: 'error' }),
    ).toBe(1);
    expect(queries(m, 'GET', 'error')).toBe(1);
    down.disconnect();
  });
});
