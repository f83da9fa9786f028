import type { AgentMeter } from '@agentmeter/core';
import { instrumentIoredis, instrumentPg, instrumentPGlite } from '@agentmeter/db';
import { type HealthCheck, postgresCheck, redisCheck } from '@agentmeter/prometheus';
import { Redis } from 'ioredis';
import pg from 'pg';
import { CHARACTERS } from './characters.ts';
import { createPGlite } from './pglite.ts';

type Row = Record<string, unknown>;

/** The little the service needs from a SQL database, whichever one it is. */
export interface Database {
  readonly system: 'pglite' | 'postgresql';
  query<R extends Row = Row>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs fn in a transaction: committed when fn resolves, rolled back when it throws. */
  transaction<T>(fn: (query: Database['query']) => Promise<T>): Promise<T>;
  readonly health: HealthCheck;
  close(): Promise<void>;
}

export interface Cache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  readonly health: HealthCheck | undefined;
  close(): Promise<void>;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS va_characters (id TEXT PRIMARY KEY, scene TEXT NOT NULL, persona TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS va_messages (
    id SERIAL PRIMARY KEY, session TEXT NOT NULL, character TEXT NOT NULL, role TEXT NOT NULL,
    content TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS va_generations (
    id SERIAL PRIMARY KEY, character TEXT NOT NULL, kind TEXT NOT NULL, content TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now());
`;

/** PostgreSQL through pg when DATABASE_URL is set, otherwise PGlite in process (nothing to install). */
export async function openDatabase(url: string | undefined, meter: AgentMeter): Promise<Database> {
  const db = url === undefined ? await openPGlite(meter) : openPostgres(url, meter);
  await db.query(
    SCHEMA.split(';')
      .filter((s) => s.trim() !== '')
      .join(';'),
  );
  await db.transaction(async (query) => {
    for (const character of CHARACTERS) {
      await query(
        'INSERT INTO va_characters (id, scene, persona) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET persona = EXCLUDED.persona',
        [character.id, character.scene, character.persona],
      );
    }
  });
  return db;
}

async function openPGlite(meter: AgentMeter): Promise<Database> {
  const db = instrumentPGlite(await createPGlite(), { meter });
  // PGlite runs one query at a time on one connection; the pool gauges show it as a pool of one.
  let running = 0;
  const labels = { db_system: 'pglite', pool: 'embedded' };
  meter.onCollect(() => {
    meter.instruments.dbConnectionsMax.set(1, labels);
    meter.instruments.dbConnectionsActive.set(running > 0 ? 1 : 0, labels);
    meter.instruments.dbConnectionsIdle.set(running > 0 ? 0 : 1, labels);
    meter.instruments.dbConnectionsPending.set(Math.max(0, running - 1), labels);
  });
  const counted = async <T>(fn: () => Promise<T>): Promise<T> => {
    running++;
    try {
      return await fn();
    } finally {
      running--;
    }
  };
  const query = <R extends Row>(sql: string, params?: unknown[]): Promise<R[]> =>
    counted(
      async () =>
        (params === undefined && sql.includes(';')
          ? ((await db.exec(sql)).at(-1)?.rows ?? [])
          : (await db.query<R>(sql, params)).rows) as R[],
    );
  return {
    system: 'pglite',
    query,
    transaction: (fn) =>
      counted(() =>
        db.transaction((tx) =>
          fn(async <R extends Row>(sql: string, params?: unknown[]) => (await tx.query<R>(sql, params)).rows),
        ),
      ),
    health: { check: () => db.query('SELECT 1') },
    close: () => db.close(),
  };
}

function openPostgres(url: string, meter: AgentMeter): Database {
  const pool = instrumentPg(new pg.Pool({ connectionString: url, max: 10 }), { meter, pool: 'main' });
  return {
    system: 'postgresql',
    query: async <R extends Row>(sql: string, params?: unknown[]) => (await pool.query<R>(sql, params)).rows,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(
          async <R extends Row>(sql: string, params?: unknown[]) => (await client.query<R>(sql, params)).rows,
        );
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    health: postgresCheck(pool),
    close: () => pool.end(),
  };
}

/** Redis through ioredis when REDIS_URL is set, otherwise a Map with expiry; both meter hits and misses. */
export function openCache(url: string | undefined, meter: AgentMeter, keyPrefix = 'voice-agent:'): Cache {
  if (url !== undefined) {
    const redis = instrumentIoredis(new Redis(url, { keyPrefix, maxRetriesPerRequest: 1 }), { meter, cache: 'redis' });
    return {
      kind: 'redis',
      get: (key) => redis.get(key),
      set: async (key, value, ttl) => {
        await redis.set(key, value, 'EX', ttl);
      },
      health: redisCheck(redis),
      close: async () => {
        await redis.quit();
      },
    };
  }
  const entries = new Map<string, { value: string; expires: number }>();
  return {
    kind: 'memory',
    async get(key) {
      const entry = entries.get(key);
      const hit = entry !== undefined && entry.expires > Date.now();
      meter.recordCacheOperation({ cache: 'memory', operation: 'get', result: hit ? 'hit' : 'miss' });
      return hit ? entry.value : null;
    },
    async set(key, value, ttl) {
      // Bounded: an in-memory cache must not grow with traffic.
      if (entries.size >= 10_000) entries.clear();
      entries.set(key, { value, expires: Date.now() + ttl * 1000 });
      meter.recordCacheOperation({ cache: 'memory', operation: 'set', result: 'ok' });
    },
    health: undefined,
    close: async () => entries.clear(),
  };
}
