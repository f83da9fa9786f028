import { CATALOG, CATALOG_KEYS, createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { EXEMPLARS, getExemplars } from '@agentmeter/core/internal';
import { ValueType } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { MetricsHub } from '../src/cluster/hub.ts';
import { HubMember, type MemberChannel } from '../src/cluster/member.ts';
import { Merger, mergePolicy } from '../src/cluster/merge.ts';
import type { HubMessage, MemberMessage } from '../src/cluster/protocol.ts';
import { encodeSnapshot, type WireSnapshot } from '../src/cluster/wire.ts';
import { resolveStart } from '../src/config.ts';

const policy = mergePolicy('agentmeter');

async function snapshotOf(meter: AgentMeter): Promise<WireSnapshot> {
  const { resourceMetrics } = await meter.metricProducer!.collect();
  return encodeSnapshot(resourceMetrics, [1, 0]);
}

function merged(...sources: Array<{ snapshot: WireSnapshot; label?: string; live?: boolean }>): ResourceMetrics {
  const merger = new Merger(policy);
  for (const { snapshot, label, live } of sources) merger.add({ snapshot, label, live: live ?? true });
  return merger.resourceMetrics(emptyResource());
}

function metric(resourceMetrics: ResourceMetrics, name: string): MetricData | undefined {
  return resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((candidate) => candidate.descriptor.name === name);
}

function points<T>(resourceMetrics: ResourceMetrics, name: string): DataPoint<T>[] {
  return (metric(resourceMetrics, name)?.dataPoints ?? []) as DataPoint<T>[];
}

/** A worker with some traffic: requests by status, response times, sessions and a cache ratio. */
function worker(requests: number, seconds: number[], sessions: number, ratio: number): AgentMeter {
  const meter = createAgentMeter();
  for (let i = 0; i < requests; i++) meter.instruments.requests.add(1, { status: i % 4 === 0 ? 'error' : 'success' });
  for (const value of seconds) meter.instruments.responseTime.record(value);
  meter.instruments.activeSessions.add(sessions);
  meter.instruments.cacheHitRatio.set(ratio, { cache: 'redis' });
  return meter;
}

function exemplar(
  value: number,
  timeMs: number,
  spanId: string,
): { value: number; traceId: string; spanId: string; timeMs: number } {
  return { value, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId, timeMs };
}

/** A collection with one counter and one histogram point, each carrying an exemplar from `spanId`. */
function collection(timeMs: number, spanId: string): ResourceMetrics {
  return {
    resource: emptyResource(),
    scopeMetrics: [
      {
        scope: { name: 'test' },
        metrics: [
          {
            descriptor: { name: 'calls', description: '', unit: '', valueType: ValueType.DOUBLE },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.SUM,
            isMonotonic: true,
            dataPoints: [
              {
                startTime: [0, 0],
                endTime: [1, 0],
                attributes: {},
                value: 2,
                [EXEMPLARS]: exemplar(1, timeMs, spanId),
              } as DataPoint<number>,
            ],
          },
          {
            descriptor: { name: 'latency', description: '', unit: 's', valueType: ValueType.DOUBLE },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.HISTOGRAM,
            dataPoints: [
              {
                startTime: [0, 0],
                endTime: [1, 0],
                attributes: { route: '/a' },
                value: { buckets: { boundaries: [1], counts: [1, 0] }, count: 1, sum: 0.5, min: 0.5, max: 0.5 },
                [EXEMPLARS]: [exemplar(0.5, timeMs, spanId), undefined],
              } as DataPoint<Histogram>,
            ],
          },
        ],
      },
    ],
  };
}

describe('merging workers into one /metrics', () => {
  it("sums counters and histograms bucket for bucket, and follows each gauge's declared policy", async () => {
    const a = await snapshotOf(worker(8, [0.01, 0.2, 3], 2, 0.5));
    const b = await snapshotOf(worker(5, [0.2, 40], 1, 0.9));
    const result = merged({ snapshot: a, label: '1' }, { snapshot: b, label: '2' });

    const requests = points<number>(result, 'agentmeter.requests');
    expect(Object.fromEntries(requests.map((point) => [point.attributes['status'], point.value]))).toEqual({
      success: 9,
      error: 4,
    });

    const [histogram] = points<Histogram>(result, 'agentmeter.response_time');
    const one = worker(0, [0.01, 0.2, 3, 0.2, 40], 0, 0);
    const [expected] = points<Histogram>(merged({ snapshot: await snapshotOf(one) }), 'agentmeter.response_time');
    expect(histogram!.value.buckets).toEqual(expected!.value.buckets);
    expect(histogram!.value.count).toBe(5);
    expect(histogram!.value.sum).toBeCloseTo(43.41, 10);
    expect([histogram!.value.min, histogram!.value.max]).toEqual([0.01, 40]);

    // Sessions are summed (catalog clusterMerge: sum); a ratio is kept per worker.
    expect(points<number>(result, 'agentmeter.active_sessions').map((point) => point.value)).toEqual([3]);
    const ratios = points<number>(result, 'agentmeter.cache.hit_ratio').map((point) => [point.attributes, point.value]);
    expect(ratios).toEqual([
      [{ cache: 'redis', worker: '1' }, 0.5],
      [{ cache: 'redis', worker: '2' }, 0.9],
    ]);
  });

  it('keeps the newest exemplar of each counter and each histogram bucket', () => {
    const result = merged(
      { snapshot: encodeSnapshot(collection(1000, '00f067aa0ba902b7'), [1, 0]) },
      { snapshot: encodeSnapshot(collection(2000, '00f067aa0ba902b8'), [1, 0]) },
    );
    const [calls] = points<number>(result, 'calls');
    expect(calls!.value).toBe(4);
    expect(getExemplars(calls!)).toMatchObject({ spanId: '00f067aa0ba902b8', timeMs: 2000 });
    const [latency] = points<Histogram>(result, 'latency');
    expect(latency!.value.buckets.counts).toEqual([2, 0]);
    expect(getExemplars(latency!)).toEqual([expect.objectContaining({ spanId: '00f067aa0ba902b8' }), undefined]);
  });

  it("keeps a departed worker's totals but not its gauges", async () => {
    const gone = await snapshotOf(worker(7, [1], 4, 0.1));
    const live = await snapshotOf(worker(3, [2], 1, 0.7));
    const result = merged({ snapshot: gone, label: '1', live: false }, { snapshot: live, label: '2' });
    expect(points<number>(result, 'agentmeter.requests').reduce((sum, point) => sum + point.value, 0)).toBe(10);
    expect(points<Histogram>(result, 'agentmeter.response_time')[0]!.value.count).toBe(2);
    expect(points<number>(result, 'agentmeter.active_sessions').map((point) => point.value)).toEqual([1]);
    expect(points<number>(result, 'agentmeter.cache.hit_ratio').map((point) => point.attributes['worker'])).toEqual([
      '2',
    ]);
  });

  it('declares a merge policy for every gauge and up-down counter in the catalog', () => {
    const undeclared = CATALOG_KEYS.filter(
      (key) => CATALOG[key].kind === 'gauge' || CATALOG[key].kind === 'updowncounter',
    ).filter((key) => CATALOG[key].clusterMerge === undefined);
    expect(undeclared).toEqual([]);
  });
});

/** Members wired to a hub in this process: the same messages as the cluster IPC, delivered asynchronously. */
function loopback(hub: MetricsHub): {
  channel: () => MemberChannel;
  ask: (request: number) => void;
  mute: Set<MemberChannel>;
} {
  const listeners = new Map<MemberChannel, (message: HubMessage) => void>();
  const mute = new Set<MemberChannel>();
  const ask = (request: number): void => {
    for (const [channel, receive] of listeners)
      if (!mute.has(channel)) setImmediate(() => receive({ agentmeter: 'collect', request }));
  };
  hub.attach({ ask, close: () => listeners.clear() });
  return {
    mute,
    ask,
    channel: () => {
      const channel: MemberChannel = {
        send: (message: MemberMessage) => {
          if (!mute.has(channel)) setImmediate(() => hub.receive(message));
        },
        listen: (receive) => {
          listeners.set(channel, receive);
          return () => listeners.delete(channel);
        },
      };
      return channel;
    },
  };
}

async function total(hub: MetricsHub): Promise<number> {
  const { resourceMetrics } = await hub.collect();
  return points<number>(resourceMetrics, 'agentmeter.requests').reduce((sum, point) => sum + point.value, 0);
}

describe('the hub', () => {
  it("merges members, keeps a silent member's totals, stops waiting for it, and never counts a member twice", async () => {
    const primary = createAgentMeter();
    const hub = new MetricsHub({
      local: () => primary.metricProducer!.collect(),
      policy,
      timeoutMillis: 50,
      localLabel: () => 'primary',
    });
    const wires = loopback(hub);
    const meters = [worker(10, [], 0, 0), worker(20, [], 0, 0)];
    const channels = meters.map(() => wires.channel());
    const members = meters.map((meter, i) => new HubMember(String(i + 1), channels[i]!, () => snapshotOf(meter), 1000));
    expect(await Promise.all(members.map((member) => member.welcomed))).toEqual([false, false]);

    expect(await total(hub)).toBe(30);
    meters[1]!.instruments.requests.add(5, { status: 'success' });
    expect(await total(hub)).toBe(35);

    // Worker 2 stops answering (its process hangs or died without a word): its totals stay.
    wires.mute.add(channels[1]!);
    meters[0]!.instruments.requests.add(1, { status: 'success' });
    expect(await total(hub)).toBe(36);
    expect(await total(hub)).toBe(36);
    // It answers again (to a request no longer waited for, so the next scrape shows it): its
    // newer totals replace, never add to, what was kept.
    wires.mute.delete(channels[1]!);
    meters[1]!.instruments.requests.add(4, { status: 'success' });
    const seen = [await total(hub)];
    while (seen.at(-1) !== 40 && seen.length < 100) seen.push(await total(hub));
    expect(new Set(seen)).toEqual(new Set(seen[0] === 40 ? [40] : [36, 40]));

    // A worker that shuts down hands over its final totals, which stay after it is gone.
    meters[0]!.instruments.requests.add(2, { status: 'success' });
    await members[0]!.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await total(hub)).toBe(42);
    // A replacement starts from zero and adds to the total.
    const replacement = worker(3, [], 0, 0);
    const member = new HubMember('3', wires.channel(), () => snapshotOf(replacement), 1000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await total(hub)).toBe(45);
    await member.close();
    hub.close();
  });

  it('ignores malformed and hostile snapshots and points, and keeps merging the rest', async () => {
    const primary = worker(1, [], 0, 0);
    const hub = new MetricsHub({
      local: () => primary.metricProducer!.collect(),
      policy,
      timeoutMillis: 50,
      localLabel: () => 'primary',
    });
    const good = await snapshotOf(worker(4, [0.5], 0, 0));
    const base = { agentmeter: 'snapshot', label: 'x', request: 0 } as const;
    const requests = good.metrics.find((candidate) => candidate.name === 'agentmeter.requests')!;
    const histogram = good.metrics.find((candidate) => candidate.kind === 'h')!;
    const hostile: unknown[] = [
      { time: 'now', metrics: [] },
      { time: [1, 0], metrics: 'all' },
      { time: [1, 0], metrics: [{ ...requests, kind: 'x' }] },
      { time: [1, 0], metrics: [{ ...requests, bounds: [['a']] }] },
      null,
    ];
    for (const [index, snapshot] of hostile.entries())
      hub.receive({ ...base, member: `bad-${index}`, seq: 1, snapshot } as MemberMessage);
    // Well-formed metrics whose points are not: NaN and Infinity values, keys that are no JSON object, a huge key, wrong bucket counts.
    const badPoints = [
      ['{"status":"success"}', Number.NaN, null],
      ['{"status":"success"}', Infinity, null],
      ['not json', 1, null],
      ['[1,2]', 1, null],
      [`{"status":"${'x'.repeat(100_000)}"}`, 'many', null],
      [42, 1, null],
      'point',
      ['{"status":"success"}', 2, null],
    ];
    const badHistogram = [
      [histogram.points[0]![0], 1, 1, null, null, 0, [1], null],
      [histogram.points[0]![0], 1, 1, null, null, 99, [], null],
    ];
    hub.receive({
      ...base,
      member: 'mixed',
      seq: 1,
      snapshot: {
        time: [1, 0],
        metrics: [
          { ...requests, points: badPoints },
          { ...histogram, points: badHistogram },
        ],
      },
    } as unknown as MemberMessage);
    hub.receive({ ...base, member: 'good', seq: 1, snapshot: good });

    // 1 (primary) + 4 (good) + 2 (the one valid point of the mixed member).
    expect(await total(hub)).toBe(7);
    const { resourceMetrics } = await hub.collect();
    expect(points<Histogram>(resourceMetrics, 'agentmeter.response_time').map((point) => point.value.count)).toEqual([
      1,
    ]);
    hub.close();
  });

  it('passes its own collection through untouched while it has no members', async () => {
    const meter = worker(2, [], 1, 0.5);
    const hub = new MetricsHub({
      local: () => meter.metricProducer!.collect(),
      policy,
      timeoutMillis: 50,
      localLabel: () => 'main',
    });
    const { resourceMetrics } = await hub.collect();
    expect(points<number>(resourceMetrics, 'agentmeter.cache.hit_ratio').map((point) => point.attributes)).toEqual([
      { cache: 'redis' },
    ]);
  });
});

describe('cluster options', () => {
  it('rejects a bad timeout or a non-object, and reads AGENTMETER_CLUSTER_TIMEOUT', () => {
    for (const timeoutMillis of [Number.NaN, Infinity, -1, 0, 1.5, '100', 60_001]) {
      expect(() => resolveStart({ cluster: { timeoutMillis: timeoutMillis as number } }, {})).toThrow(
        /cluster\.timeoutMillis must be a whole number from 1 to 60000/,
      );
    }
    expect(() => resolveStart({ cluster: 'yes' as never }, {})).toThrow(/cluster must be an options object or false/);
    expect(() => resolveStart({}, { AGENTMETER_CLUSTER_TIMEOUT: 'soon' })).toThrow(
      /AGENTMETER_CLUSTER_TIMEOUT must be a whole number/,
    );
    expect(resolveStart({}, { AGENTMETER_CLUSTER_TIMEOUT: '500' }).cluster).toEqual({
      merge: true,
      timeoutMillis: 500,
    });
    expect(resolveStart({ cluster: false }, {}).cluster).toEqual({ merge: false, timeoutMillis: 2000 });
  });
});
