import { PerformanceObserver } from 'node:perf_hooks';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { AgentMeterConfigError } from '@agentmeter/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveStart } from '../src/config.ts';
import { start } from '../src/index.ts';
import type { AgentMeterHandle } from '../src/index.ts';
import { withoutGcCollector } from '../src/runtime.ts';
import { samples, scrape } from './helpers.ts';

const PROMETHEUS = { host: '127.0.0.1', port: 0 } as const;
let handle: AgentMeterHandle | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await handle?.shutdown();
  handle = undefined;
});

/** PerformanceObservers watching `gc` entries right now, as seen through observe() and disconnect(). */
function watchGcObservers(): Set<PerformanceObserver> {
  const watching = new Set<PerformanceObserver>();
  const observe = PerformanceObserver.prototype.observe;
  const disconnect = PerformanceObserver.prototype.disconnect;
  vi.spyOn(PerformanceObserver.prototype, 'observe').mockImplementation(function (
    this: PerformanceObserver,
    options: Parameters<PerformanceObserver['observe']>[0],
  ) {
    const { entryTypes, type } = options as { entryTypes?: readonly string[]; type?: string };
    if (entryTypes?.includes('gc') === true || type === 'gc') watching.add(this);
    observe.call(this, options);
  });
  vi.spyOn(PerformanceObserver.prototype, 'disconnect').mockImplementation(function (this: PerformanceObserver) {
    watching.delete(this);
    disconnect.call(this);
  });
  return watching;
}

/** Allocates enough short-lived garbage for a few scavenges, then lets the GC entries reach observers. */
async function collectGarbage(): Promise<void> {
  const ring: object[] = Array.from({ length: 1024 });
  for (let i = 0; i < 400_000; i++) ring[i % 1024] = { i, list: [i, i + 1] };
  expect(ring).toHaveLength(1024);
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The event-loop delay resolution start() would use for these options and environment. */
function resolution(runtime: unknown, env: Record<string, string> = {}): unknown {
  return resolveStart({ runtime } as never, env).runtime?.eventLoopDelayResolutionMillis;
}

describe('runtime metrics', () => {
  it("takes runtime-node's GC observer out, and keeps its other collectors", () => {
    const watching = watchGcObservers();
    const stock = new RuntimeNodeInstrumentation();
    // The control: runtime-node as published observes GC entries from construction on.
    expect(watching.size).toBe(1);
    stock.disable();
    expect(watching.size).toBe(0);

    const trimmed = withoutGcCollector(new RuntimeNodeInstrumentation());
    expect(watching.size).toBe(0);
    trimmed.enable();
    expect(watching.size).toBe(0);
    const collectors = Reflect.get(trimmed, '_collectors') as object[];
    expect(collectors.map((collector) => collector.constructor.name)).toEqual([
      'EventLoopUtilizationCollector',
      'EventLoopTimeCollector',
      'EventLoopDelayCollector',
      'HeapSpacesSizeAndUsedCollector',
      'ActiveResourcesCollector',
    ]);
    trimmed.disable();
  });

  it('serves event-loop and heap metrics by default, with no GC observer and no v8js.gc.duration', async () => {
    const watching = watchGcObservers();
    handle = start({ prometheus: PROMETHEUS, hostMetrics: false, http: false });
    await handle.ready;
    await collectGarbage();
    const text = await scrape(handle.prometheusUrl!);
    expect(samples(text, 'nodejs_eventloop_utilization_ratio').length).toBe(1);
    expect(samples(text, 'v8js_memory_heap_used_bytes').length).toBeGreaterThan(3);
    expect(text).not.toContain('v8js_gc_duration');
    expect(watching.size).toBe(0);
  });

  it('adds v8js.gc.duration by kind with runtime: { gc: true }, and stops observing at shutdown', async () => {
    const watching = watchGcObservers();
    handle = start({ prometheus: PROMETHEUS, hostMetrics: false, http: false, runtime: { gc: true } });
    await handle.ready;
    expect(watching.size).toBe(1);
    await collectGarbage();
    const text = await scrape(handle.prometheusUrl!);
    const minor = samples(text, 'v8js_gc_duration_seconds_count', { v8js_gc_type: 'minor' });
    expect(minor).toHaveLength(1);
    expect(minor[0]![1]).toBeGreaterThan(0);
    // runtime-node's buckets, so the shipped dashboard's panels read it unchanged.
    const bounds = samples(text, 'v8js_gc_duration_seconds_bucket', { v8js_gc_type: 'minor' }).map(
      ([labels]) => labels['le'],
    );
    expect(bounds).toEqual([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.075',
      '0.1',
      '0.25',
      '0.5',
      '0.75',
      '1',
      '2.5',
      '5',
      '7.5',
      '10',
      '+Inf',
    ]);
    for (const [labels] of samples(text, 'v8js_gc_duration_seconds_count')) {
      expect(['major', 'minor', 'incremental', 'weakcb']).toContain(labels['v8js_gc_type']);
    }
    expect(text).toContain('nodejs_eventloop_utilization_ratio');
    await handle.shutdown();
    handle = undefined;
    expect(watching.size).toBe(0);
  });

  it('samples the event-loop delay every eventLoopDelayResolutionMillis, one runtime-node per resolution', async () => {
    handle = start({
      prometheus: PROMETHEUS,
      hostMetrics: false,
      http: false,
      runtime: { eventLoopDelayResolutionMillis: 200 },
    });
    await handle.ready;
    const instances = Reflect.get(globalThis, Symbol.for('@agentmeter/node.instrumentations')) as Map<
      string,
      RuntimeNodeInstrumentation
    >;
    const runtime = instances.get('runtime-node/200')!;
    expect(runtime.getConfig()).toMatchObject({ monitoringPrecision: 200 });
    expect(runtime.isEnabled()).toBe(true);
    const collectors = Reflect.get(runtime, '_collectors') as object[];
    const delay = collectors.find((collector) => collector.constructor.name === 'EventLoopDelayCollector')!;
    const histogram = Reflect.get(delay, '_histogram') as { count: number; reset(): void };
    histogram.reset();
    const began = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // A 200 ms timer never fires early: at most one sample per 200 ms waited (at 10 ms, about 100).
    expect(histogram.count).toBeLessThanOrEqual(Math.floor((performance.now() - began) / 200) + 1);
    expect(histogram.count).toBeGreaterThan(0);
    await handle.shutdown();
    handle = undefined;
    expect(runtime.isEnabled()).toBe(false);
    // The default resolution is another instance, sampling every 20 ms.
    handle = start({ prometheus: PROMETHEUS, hostMetrics: false, http: false });
    await handle.ready;
    expect(instances.get('runtime-node/20')!.getConfig()).toMatchObject({ monitoringPrecision: 20 });
    expect(instances.get('runtime-node/20')!.isEnabled()).toBe(true);
    expect(runtime.isEnabled()).toBe(false);
  });

  it('rejects runtime options that are not true, false or { gc, eventLoopDelayResolutionMillis }, saying what to change', () => {
    const defaults = { gc: false, eventLoopDelayResolutionMillis: 20 };
    expect(resolveStart({}, {}).runtime).toEqual(defaults);
    expect(resolveStart({ runtime: true }, {}).runtime).toEqual(defaults);
    expect(resolveStart({ runtime: false }, {}).runtime).toBeUndefined();
    expect(resolveStart({ runtime: {} }, {}).runtime).toEqual(defaults);
    expect(resolveStart({ runtime: { gc: true } }, {}).runtime).toEqual({ ...defaults, gc: true });
    expect(
      resolveStart({ runtime: { gc: true } }, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'runtime-node' }).runtime,
    ).toBeUndefined();
    const bad: unknown[] = ['yes', 1, Number.NaN, Infinity, null, [], () => true, Symbol('x'), 10n];
    for (const runtime of bad) {
      expect(() => resolveStart({ runtime } as never, {})).toThrow(AgentMeterConfigError);
      expect(() => resolveStart({ runtime } as never, {})).toThrow(
        /runtime must be true, false or an object such as \{ gc: true \}/,
      );
    }
    for (const gc of ['true', 1, null, Number.NaN, {}]) {
      expect(() => resolveStart({ runtime: { gc } } as never, {})).toThrow(/runtime\.gc must be true or false/);
    }
    expect(() => resolveStart({ runtime: { gc: true, heap: true } } as never, {})).toThrow(
      /runtime takes only \{ gc, eventLoopDelayResolutionMillis \}; remove "heap"/,
    );

    // The resolution: an option, else AGENTMETER_EVENT_LOOP_RESOLUTION, else 20.
    expect(resolution({ eventLoopDelayResolutionMillis: 100 })).toBe(100);
    expect(resolution({ eventLoopDelayResolutionMillis: 1 })).toBe(1);
    expect(resolution({ eventLoopDelayResolutionMillis: 1_000 })).toBe(1_000);
    expect(resolution(true, { AGENTMETER_EVENT_LOOP_RESOLUTION: ' 50 ' })).toBe(50);
    expect(resolution(undefined, { AGENTMETER_EVENT_LOOP_RESOLUTION: '' })).toBe(20);
    expect(resolution({ eventLoopDelayResolutionMillis: 30 }, { AGENTMETER_EVENT_LOOP_RESOLUTION: '50' })).toBe(30);
    for (const value of [0, -10, 1_001, 2.5, Number.NaN, Infinity, -Infinity, '100', null, {}, 10n]) {
      expect(() => resolution({ eventLoopDelayResolutionMillis: value })).toThrow(
        /runtime\.eventLoopDelayResolutionMillis must be a whole number from 1 to 1000/,
      );
    }
    for (const value of ['0', 'fast', '1e9', '10ms', 'x'.repeat(100_000)]) {
      expect(() => resolution(undefined, { AGENTMETER_EVENT_LOOP_RESOLUTION: value })).toThrow(
        /AGENTMETER_EVENT_LOOP_RESOLUTION must be a whole number from 1 to 1000/,
      );
    }
    expect(() => resolveStart({ runtime: { ['x'.repeat(100_000)]: 1 } } as never, {})).toThrow(AgentMeterConfigError);
  });
});
