/** How an instrument aggregates. `updowncounter` and `gauge` both export as Prometheus gauges. */
export type InstrumentKind = 'counter' | 'updowncounter' | 'histogram' | 'gauge';

/**
 * How one /metrics over a cluster (or worker threads) merges a gauge across processes: `sum`
 * for counts that add up (in-flight requests, open sessions, pool connections), `per_worker`
 * where a sum means nothing (a ratio, a status), which keeps one series per worker under a
 * `worker` label. Counters and histograms are always summed.
 */
export type ClusterMerge = 'sum' | 'per_worker';

/** The catalog's families; extra attributes are declared per family. */
export type Family =
  | 'requests'
  | 'errors'
  | 'sessions'
  | 'llm'
  | 'cost'
  | 'tts'
  | 'stt'
  | 'turns'
  | 'websocket'
  | 'db'
  | 'cache'
  | 'conversation'
  | 'generation'
  | 'external_api'
  | 'health';

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
