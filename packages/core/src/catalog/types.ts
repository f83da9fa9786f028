/** How an instrument aggregates. `updowncounter` and `gauge` both export as Prometheus gauges. */
export type InstrumentKind = 'counter' | 'updowncounter' | 'histogram' | 'gauge';

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
