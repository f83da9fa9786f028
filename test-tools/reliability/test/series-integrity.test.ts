import { createAgentMeter } from '@agentmeter/core';
import { createTestReader } from '@agentmeter/core/testing';
import { createQueryTracker } from '@agentmeter/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureDiag, type CapturedDiag } from '../src/checks.ts';
import { throwingGetters, throwingProxy } from '../src/hostile.ts';

let captured: CapturedDiag;
beforeAll(() => {
  captured = captureDiag();
});
afterAll(() => captured.restore());

/** A thenable's `then` that settles four times, as a hostile SDK object might. */
function settleMany(resolve: (value: number) => void, reject: (error: unknown) => void): void {
  resolve(1);
  resolve(2);
  reject(new Error('late'));
  resolve(3);
}

describe('series stay true (issue 14)', () => {
  it('refuses a finite record that would make a counter, an up-down counter or a histogram sum infinite, keeping the value', async () => {
    const meter = createAgentMeter({ attributes: { requests: ['route'] } });
    const reader = createTestReader(meter);
    const warnings = captured.warnings.length;
    const attributes = { provider: 'openai', model: 'm', operation: 'chat', status: 'success' };
    for (let i = 0; i < 3; i++) {
      meter.instruments.llmRequests.add(Number.MAX_VALUE, attributes);
      meter.instruments.activeSessions.add(Number.MAX_VALUE);
      meter.instruments.llmLatency.record(Number.MAX_VALUE, { provider: 'openai', model: 'm', operation: 'chat' });
      meter.increment('orders', { shop: 'a' }, Number.MAX_VALUE);
    }
    meter.instruments.activeSessions.add(-Number.MAX_VALUE);
    meter.instruments.activeSessions.add(-Number.MAX_VALUE);
    meter.instruments.activeSessions.add(-Number.MAX_VALUE);
    const snapshot = await reader.collect();
    expect(snapshot.value('agentmeter.llm.requests', attributes)).toBe(Number.MAX_VALUE);
    expect(snapshot.value('agentmeter.active_sessions')).toBe(-Number.MAX_VALUE);
    expect(
      snapshot.histogram('agentmeter.llm.latency', { provider: 'openai', model: 'm', operation: 'chat' }),
    ).toMatchObject({ count: 1, sum: Number.MAX_VALUE });
    expect(snapshot.value('agentmeter.orders', { shop: 'a' })).toBe(Number.MAX_VALUE);
    // The series go on counting ordinary values.
    meter.instruments.llmRequests.add(1, attributes);
    expect((await reader.collect()).value('agentmeter.llm.requests', attributes)).toBe(Number.MAX_VALUE);
    expect(captured.warnings.slice(warnings).some((message) => /overflow it to infinity/.test(message))).toBe(true);
    await reader.shutdown();
  });

  it('keeps custom-metric label sets that differ only by NUL characters apart', async () => {
    const meter = createAgentMeter();
    const reader = createTestReader(meter);
    // With NUL as a plain separator both would have read `a NUL x NUL b NUL y NUL`.
    meter.increment('lookups', { a: 'x\u0000b\u0000y' });
    meter.increment('lookups', { a: 'x', b: 'y' });
    meter.increment('lookups', { a: 'x', b: 'y' });
    const snapshot = await reader.collect();
    expect(snapshot.value('agentmeter.lookups', { a: 'x\u0000b\u0000y' })).toBe(1);
    expect(snapshot.value('agentmeter.lookups', { a: 'x', b: 'y' })).toBe(2);
    await reader.shutdown();
  });

  it('reads attributes once per call: a getter answering differently on each read cannot poison later calls', async () => {
    const meter = createAgentMeter({ attributes: { requests: ['route'] } });
    const reader = createTestReader(meter);
    let reads = 0;
    const shifting = {
      get route() {
        reads++;
        return `/r/${reads}`;
      },
      status: 'ok',
    };
    meter.instruments.requests.add(1, shifting);
    expect(reads).toBe(1);
    // Whatever value the one read saw, ordinary calls with any route land in their own series.
    for (let i = 1; i <= 4; i++) meter.instruments.requests.add(1, { route: `/r/${i}`, status: 'ok' });
    const snapshot = await reader.collect();
    expect(snapshot.value('agentmeter.requests', { route: '/r/1', status: 'ok' })).toBe(2);
    for (let i = 2; i <= 4; i++)
      expect(snapshot.value('agentmeter.requests', { route: `/r/${i}`, status: 'ok' })).toBe(1);
    await reader.shutdown();
  });

  it('createQueryTracker().query runs fn and returns its result whatever the statement object does', async () => {
    const meter = createAgentMeter();
    const tracker = createQueryTracker({ meter, dbSystem: 'mongodb' });
    for (const statement of [throwingProxy(), throwingGetters(), Object.create(null) as object]) {
      let ran = 0;
      expect(tracker.query(statement as never, () => ++ran)).toBe(1);
      expect(ran).toBe(1);
      await expect(tracker.query(statement as never, async () => 'done')).resolves.toBe('done');
    }
  });

  it('time() records one sample for a thenable that settles several times', async () => {
    const meter = createAgentMeter();
    const reader = createTestReader(meter);
    // A thenable built from its key name, as a hostile SDK object would be.
    // oxlint-disable-next-line no-useless-concat -- spelled apart so that no literal `then` key is written
    const thenable: object = Object.fromEntries([['th' + 'en', settleMany]]);
    expect(meter.time('settles', {}, () => thenable)).toBe(thenable);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await reader.collect()).histogram('agentmeter.settles')?.count).toBe(1);
    await reader.shutdown();
  });
});
