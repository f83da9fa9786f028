import { CATALOG, CATALOG_KEYS, prometheusName, type InstrumentKind } from '@agentmeter/core';
import {
  getClassicBuckets,
  kindOfMetric,
  prometheusTypeOf,
  Warner,
  type PrometheusType,
} from '@agentmeter/core/internal';
import {
  type DataPoint,
  DataPointType,
  type ExponentialHistogram,
  type ExponentialHistogramMetricData,
  type GaugeMetricData,
  type Histogram,
  type HistogramMetricData,
  type ResourceMetrics,
  type ScopeMetrics,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { writableFamilies } from './collisions.ts';

export type InstrumentationScope = ScopeMetrics['scope'];

export type FamilyType = PrometheusType;

/** One Prometheus metric family: every MetricData (from any scope) that reaches the same name. */
export interface MetricFamily {
  /** The Prometheus name; counters end in `_total`. */
  readonly name: string;
  readonly type: FamilyType;
  readonly help: string;
  readonly unit: string;
  readonly metrics: (SumMetricData | GaugeMetricData | HistogramMetricData | ExponentialHistogramMetricData)[];
  /** The instrumentation scope of each entry of `metrics` (same index): one name may come from several scopes. */
  readonly scopes: InstrumentationScope[];
}

/**
 * The classic (explicit-bucket) form of a histogram data point: the point itself, or for an
 * exponential point the explicit buckets agentmeter recorded beside it. Undefined for an
 * exponential point from the SDK, which has only its native form.
 */
export function classicHistogram(point: DataPoint<Histogram | ExponentialHistogram>): Histogram | undefined {
  const value = point.value;
  if ('buckets' in value) return value;
  const classic = getClassicBuckets(point);
  if (classic === undefined) return undefined;
  return {
    buckets: { boundaries: classic.boundaries as number[], counts: classic.counts as number[] },
    sum: value.sum,
    count: value.count,
    min: value.min,
    max: value.max,
  };
}

/**
 * Groups collected metrics into Prometheus families, named by core's prometheusName() (the
 * Collector's rules) and described by the instrument, or by the catalog when the instrument
 * was created without a description.
 */
export class FamilyBuilder {
  readonly #names = new Map<string, string>();
  readonly #catalogHelp = new Map<string, string>();
  readonly #warner = new Warner();

  readonly #genAi: boolean;

  /** `genAi`: keep the OTel GenAI metrics (`gen_ai.*`), which repeat the catalog's llm and speech series. */
  constructor(namespace: string, genAi = false) {
    this.#genAi = genAi;
    for (const key of CATALOG_KEYS) {
      const spec = CATALOG[key];
      this.#catalogHelp.set(`${namespace}.${spec.name}`, spec.description);
    }
  }

  families(resourceMetrics: ResourceMetrics): MetricFamily[] {
    const byName = new Map<string, MetricFamily>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (!this.#genAi && metric.descriptor.name.startsWith('gen_ai.')) continue;
        const kind = kindOfMetric(metric);
        if (kind === undefined) continue;
        if (
          metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM &&
          metric.dataPoints.some((point) => classicHistogram(point) === undefined)
        ) {
          this.#warner.warn(
            `exponential:${metric.descriptor.name}`,
            `${metric.descriptor.name} has only exponential buckets: it is served to scrapers that ask for the protobuf format (native histograms), not in the text formats`,
          );
        }
        if (metric.dataPoints.length === 0) continue;
        const name = this.#name(metric.descriptor.name, metric.descriptor.unit, kind);
        const type = prometheusTypeOf(kind);
        const family = byName.get(name);
        if (family === undefined) {
          const { description, unit } = metric.descriptor;
          // Every family gets HELP (promtool lints its absence): the catalog's, else the OTel name.
          const help =
            description !== ''
              ? description
              : (this.#catalogHelp.get(metric.descriptor.name) ?? metric.descriptor.name);
          byName.set(name, {
            name,
            type,
            help,
            unit,
            metrics: [metric as MetricFamily['metrics'][number]],
            scopes: [scope.scope],
          });
        } else if (family.type === type) {
          family.metrics.push(metric as MetricFamily['metrics'][number]);
          family.scopes.push(scope.scope);
        } else {
          this.#warner.warn(
            `conflict:${name}`,
            `skipped a ${type} named ${name}: a ${family.type} already has that name`,
          );
        }
      }
    }
    return writableFamilies([...byName.values()], (key, message) => this.#warner.warn(key, message));
  }

  /** Logs collection errors (rate-limited); the scrape still serves what was collected. */
  warnCollectionErrors(errors: readonly unknown[]): void {
    const first = errors[0];
    const message = first instanceof Error ? first.message : String(first);
    this.#warner.warn('collect', `${errors.length} error(s) while collecting metrics; first: ${message.slice(0, 200)}`);
  }

  #name(otelName: string, unit: string, kind: InstrumentKind): string {
    const key = JSON.stringify([otelName, unit, kind]);
    let name = this.#names.get(key);
    if (name === undefined) {
      name = prometheusName(otelName, unit, kind);
      if (this.#names.size < 10_000) this.#names.set(key, name);
    }
    return name;
  }
}
