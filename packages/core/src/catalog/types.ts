import type { BucketName } from './buckets.ts';
import type { REQUEST_AND_AI_INSTRUMENTS } from './request-ai-instruments.ts';
import type { SERVICE_INSTRUMENTS } from './service-instruments.ts';

/** How an instrument aggregates. `updowncounter` and `gauge` both export as Prometheus gauges. */
export type InstrumentKind = 'counter' | 'updowncounter' | 'histogram' | 'gauge';

/**
 * How one /metrics over a cluster (or worker threads) merges a gauge across processes: `sum`
 * for counts that add up (in-flight requests, open sessions, pool connections), `per_worker`
 * where a sum means nothing (a ratio, a status), which keeps one series per worker under a
 * `worker` label. Counters and histograms are always summed.
 */
export type ClusterMerge = 'sum' | 'per_worker';

/**
 * The catalog's families (extra attributes are declared per family): every `family` the
 * catalog's entries name, read off the declared tables.
 */
export type Family =
  | (typeof REQUEST_AND_AI_INSTRUMENTS)[keyof typeof REQUEST_AND_AI_INSTRUMENTS]['family']
  | (typeof SERVICE_INSTRUMENTS)[keyof typeof SERVICE_INSTRUMENTS]['family'];

/**
 * One catalog entry as declared: plain literals only (so its types can be read off it), with the
 * histogram's bucket layout named rather than given.
 */
export interface DeclaredInstrument {
  readonly name: string;
  readonly family: string;
  readonly kind: InstrumentKind;
  readonly unit: string;
  readonly description: string;
  readonly attributes: readonly string[];
  readonly buckets?: BucketName;
  readonly clusterMerge?: ClusterMerge;
  readonly replaces: readonly string[];
}

/** One documented instrument, declared once as data. */
export interface InstrumentSpec {
  /** The OpenTelemetry name without the namespace, e.g. `llm.latency`. */
  readonly name: string;
  readonly family: Family;
  readonly kind: InstrumentKind;
  /** UCUM unit (`s`, `By`, `1`) or an annotation such as `{token}`. */
  readonly unit: string;
  readonly description: string;
  /** The attribute keys the instrument accepts; anything else is dropped. */
  readonly attributes: readonly string[];
  /** Explicit bucket boundaries, for histograms. */
  readonly buckets?: readonly number[];
  /** Gauges and up-down counters only: how a cluster's /metrics merges the workers' values. */
  readonly clusterMerge?: ClusterMerge;
  /** Metric names from the seed monitoring guides that this instrument replaces. */
  readonly replaces: readonly string[];
}

/** A metric that agentmeter does not create itself but documents, queries and maps seeds onto. */
export interface ExternalMetricSpec {
  /** The Prometheus name as it reaches Prometheus. */
  readonly prometheusName: string;
  readonly kind: InstrumentKind;
  readonly unit: string;
  readonly description: string;
  readonly attributes: readonly string[];
  /** Where it comes from, e.g. `@opentelemetry/instrumentation-http (via @agentmeter/node)`. */
  readonly source: string;
  readonly replaces: readonly string[];
}
