import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { ValueType } from '@opentelemetry/api';
import type { Attributes, Histogram } from '@opentelemetry/api';
import { HostMetricsInstrumentation } from '@opentelemetry/instrumentation-host-metrics';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { reuse } from './reuse.ts';
import { NODE_SCOPE } from './scope.ts';

/**
 * Event-loop delay and utilisation, heap spaces and active resources (nodejs.*, v8js.*), without
 * runtime-node's GC observer: GC durations come from GcInstrumentation, and only when asked for.
 * The event-loop delay is sampled every `resolutionMillis`; runtime-node fixes that when it is
 * built, so each resolution has an instance of its own.
 */
export function createRuntimeInstrumentation(resolutionMillis: number): RuntimeNodeInstrumentation {
  return reuse<RuntimeNodeInstrumentation>(
    `runtime-node/${resolutionMillis}`,
    { monitoringPrecision: resolutionMillis },
    (config) => withoutGcCollector(new RuntimeNodeInstrumentation(config)),
  );
}

interface GcCollector {
  _gcDurationByKindHistogram?: unknown;
  internalDisable(): void;
}

/**
 * Takes runtime-node's GC collector out before the SDK enables it. Its PerformanceObserver makes
 * Node build a GC performance entry per collection (about 120,000 instructions each in Node 24,
 * most of them in the deprecated-field accessors Node defines on every GC entry), which a service
 * that allocates per request pays per request. A runtime-node release without the field leaves
 * its collector in place: tests catch that (v8js.gc.duration appearing without `gc: true`).
 */
export function withoutGcCollector(instrumentation: RuntimeNodeInstrumentation): RuntimeNodeInstrumentation {
  // runtime-node keeps its collectors in a private `_collectors` array (0.37).
  const collectors: unknown = Reflect.get(instrumentation, '_collectors');
  if (!Array.isArray(collectors)) return instrumentation;
  const index = collectors.findIndex(
    (collector) => typeof collector === 'object' && collector !== null && '_gcDurationByKindHistogram' in collector,
  );
  if (index >= 0) (collectors.splice(index, 1)[0] as GcCollector).internalDisable();
  return instrumentation;
}

/** The buckets runtime-node gives v8js.gc.duration, so the shipped dashboard keeps working. */
const GC_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const GC_KINDS: readonly [number, string][] = [
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
];
/** One frozen attribute set per GC kind: a collection builds no object. */
const KIND_ATTRIBUTES = new Map<number, Attributes>(
  GC_KINDS.map(([kind, name]) => [kind, Object.freeze({ 'v8js.gc.type': name })]),
);

/**
 * v8js.gc.duration (opt-in: `runtime: { gc: true }`): runtime-node's metric, same name, unit,
 * buckets and `v8js.gc.type` values, from one PerformanceObserver on `gc` entries.
 */
export class GcInstrumentation extends InstrumentationBase {
  #histogram: Histogram | undefined;
  readonly #observer = new PerformanceObserver((list) => {
    const histogram = this.#histogram;
    if (histogram === undefined) return;
    for (const entry of list.getEntries()) {
      const attributes = KIND_ATTRIBUTES.get(kindOf(entry));
      if (attributes !== undefined) histogram.record(entry.duration / 1000, attributes);
    }
  });
  #observing = false;

  constructor(config: InstrumentationConfig = {}) {
    super(`${NODE_SCOPE.name}/gc`, NODE_SCOPE.version, { ...config, enabled: false });
    // The base constructor asked for the histogram before this class's fields existed.
    this.#createHistogram();
  }

  protected init(): [] {
    return [];
  }

  protected override _updateMetricInstruments(): void {
    if (#observer in this) this.#createHistogram();
  }

  #createHistogram(): void {
    this.#histogram = this.meter.createHistogram('v8js.gc.duration', {
      description: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: GC_SECONDS },
    });
  }

  override enable(): void {
    super.enable();
    if (this.#observing) return;
    this.#observer.observe({ entryTypes: ['gc'] });
    this.#observing = true;
  }

  override disable(): void {
    super.disable();
    this.#observer.disconnect();
    this.#observing = false;
  }
}

function kindOf(entry: PerformanceEntry): number {
  // `detail` ({ kind, flags }); the entry's own `kind` is deprecated (DEP0152).
  const { detail } = entry as { detail?: { kind?: unknown } | null };
  return typeof detail?.kind === 'number' ? detail.kind : -1;
}

export function createGcInstrumentation(): GcInstrumentation {
  return reuse<GcInstrumentation>('gc', {}, (config) => new GcInstrumentation(config));
}

/** Process and host CPU, memory and network (process.*, system.*), read at each collection. */
export function createHostMetricsInstrumentation(): HostMetricsInstrumentation {
  return reuse<HostMetricsInstrumentation>('host-metrics', {}, (config) => new HostMetricsInstrumentation(config));
}
