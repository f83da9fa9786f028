import { createAgentMeter } from '@agentmeter/core';
import { createTestReader, errorTypeCounts } from '@agentmeter/core/testing';
import { CONFORMANCE_TABLE, conformanceRows, refusedPort, type NotApplicable } from '@agentmeter/provider-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { DB_CLIENTS, type Scenario } from './conformance-clients.ts';
import { requireServer } from './servers.ts';

/** The rows each client cannot meet, with their reasons, as the shared table's helper wants them. */
const NOT_APPLICABLE: Readonly<Record<string, NotApplicable>> = Object.fromEntries(
  Object.entries(DB_CLIENTS).map(([name, rows]) => [
    name,
    Object.fromEntries(Object.entries(rows).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
  ]),
);

describe('one error taxonomy across the database wrappers (real PostgreSQL, MariaDB, Redis, PGlite, better-sqlite3)', () => {
  beforeAll(async () => {
    await requireServer('PostgreSQL', 5432);
    await requireServer('MariaDB', 3306);
    await requireServer('Redis', 6379);
  });

  const { drive, notApplicable } = conformanceRows(NOT_APPLICABLE);

  it.each(drive)('%s: %s is %s', async (name, failure, expected) => {
    const scenario = DB_CLIENTS[name]![failure] as Scenario;
    const meter = createAgentMeter();
    const reader = createTestReader(meter);
    await expect(scenario({ meter, refusedPort: await refusedPort() })).rejects.toBeDefined();
    expect(errorTypeCounts(await reader.collect())).toEqual({ [expected]: 1 });
    await reader.shutdown();
  });

  it('lists, for every client, each row of the shared table it cannot meet, with the reason', () => {
    for (const [name, rows] of Object.entries(DB_CLIENTS)) {
      expect(Object.keys(rows).toSorted()).toEqual(CONFORMANCE_TABLE.map(([failure]) => failure).toSorted());
      for (const [failure, row] of Object.entries(rows)) {
        if (typeof row === 'string') expect(notApplicable).toContainEqual([name, failure, row]);
        else expect(drive.some(([client, driven]) => client === name && driven === failure)).toBe(true);
      }
    }
    // The failures the issue names for databases apply wherever a connection exists.
    for (const name of ['pg Pool / Client', 'mysql2 (MariaDB)', 'ioredis']) {
      for (const failure of ['connection refused', 'client timeout', 'dropped mid-body', 'HTTP 500'] as const) {
        expect(typeof DB_CLIENTS[name]![failure]).toBe('function');
      }
    }
  });
});
