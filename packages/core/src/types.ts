import type { TokenType } from './pricing/types.ts';
import type { MeterProvider } from '@opentelemetry/api';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import type { CatalogKey, KindOf } from './catalog/instruments.ts';
import type { Family, InstrumentSpec } from './catalog/types.ts';
import type { ErrorType } from './errors.ts';

/** Attribute values a caller may pass; anything else is dropped with a warning. */
export type AttributeValue = string | number | boolean;
/** Attributes passed at record time. Keys outside the instrument's allow-list are dropped. */
export type RecordAttributes = Readonly<Record<string, AttributeValue | null | undefined>>;

export interface AgentMeterOptions {
  /** Prefix of every instrument name (default `agentmeter`; env AGENTMETER_NAMESPACE). */
  namespace?: string;
  /**
   * Record through this OpenTelemetry MeterProvider's API instead of agentmeter's own
   * aggregation (slower, but any provider works). `'global'` uses the global provider.
   * Without it, agentmeter aggregates in pre-bound cells and exports through `metricProducer`.
   */
  meterProvider?: MeterProvider | 'global';
  /** Extra attribute keys to allow per family, e.g. `{ requests: ['scene', 'character'] }`. */
  attributes?: Partial<Record<Family, readonly string[]>>;
  /** Series limit per instrument over its whole lifetime (default 2000; env AGENTMETER_SERIES_LIMIT). */
  seriesLimit?: number;
  /** Longest attribute value kept (default 128); longer values become `_too_long`. */
  maxAttributeLength?: number;
  /** Attach trace exemplars to counters and histogram buckets when a sampled span is active (default true). */
  exemplars?: boolean;
  /**
   * Also record speech calls as OTel GenAI client metrics (`gen_ai.client.operation.duration` with
   * `gen_ai.operation.name` `text_to_speech` or `speech_to_text`) through the OpenTelemetry
   * MeterProvider (`meterProvider`, else the global one that `start()` registers). Default true;
   * env AGENTMETER_GENAI_METRICS. The LLM wrappers take the same switch in their own options.
   */
  genAiMetrics?: boolean;
  /**
   * Keep base-2 exponential buckets beside the explicit ones: `true` for every histogram, or the
   * instruments' names (`llm.latency`, a custom histogram's name). OTLP then carries exponential
   * histograms and /metrics serves native histograms to Prometheus 3 (with the classic buckets
   * kept). Default: OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION
   * (`base2_exponential_bucket_histogram` for all, `explicit_bucket_histogram` for none).
   * With `meterProvider`, the SDK's views decide instead.
   */
  exponentialHistograms?: boolean | readonly string[];
  /** Monotonic clock in milliseconds, for tests (default `performance.now`). */
  clock?: () => number;
}

/** A series handle bound to one attribute set: recording does no attribute work. */
export interface BoundCounter {
  add(value?: number): void;
}
export interface BoundUpDownCounter {
  add(value: number): void;
}
export interface BoundHistogram {
  record(value: number): void;
}
export interface BoundGauge {
  set(value: number): void;
}

export interface Instrument<Bound> {
  readonly spec: InstrumentSpec;
  /** The full OpenTelemetry name, namespace included. */
  readonly otelName: string;
  /** The name it reaches Prometheus under. */
  readonly prometheusName: string;
  /** The allowed attribute keys (catalog keys plus the family's declared extras). */
  readonly attributeKeys: readonly string[];
  /** Resolves the attribute set once; the handle records with no per-call attribute work. */
  bind(attributes?: RecordAttributes): Bound;
}
export interface CounterInstrument extends Instrument<BoundCounter> {
  add(value?: number, attributes?: RecordAttributes): void;
}
export interface UpDownCounterInstrument extends Instrument<BoundUpDownCounter> {
  add(value: number, attributes?: RecordAttributes): void;
}
export interface HistogramInstrument extends Instrument<BoundHistogram> {
  record(value: number, attributes?: RecordAttributes): void;
}
export interface GaugeInstrument extends Instrument<BoundGauge> {
  set(value: number, attributes?: RecordAttributes): void;
}

/** Map from catalog key to its instrument type. */
export type CatalogInstruments = {
  readonly [K in CatalogKey]: InstrumentFor<K>;
};
/** The instrument type of each kind. */
export interface InstrumentOfKind {
  readonly counter: CounterInstrument;
  readonly updowncounter: UpDownCounterInstrument;
  readonly histogram: HistogramInstrument;
  readonly gauge: GaugeInstrument;
}
/** The instrument type of a catalog key, from the kind the catalog declares for it. */
export type InstrumentFor<K extends CatalogKey> = InstrumentOfKind[KindOf<K>];

/**
 * Token usage as providers report it, by type (TOKEN_TYPES); missing fields are not recorded.
 * `input` excludes cache reads (`cached_input`) and writes (`cache_write`); `input_audio` is part
 * of `input`; `reasoning` and `output_audio` are parts of `output`.
 */
export type TokenUsage = { [K in TokenType]?: number };

/** Passed to the function given to `trackLlmCall`, to report what happens inside the call. */
export interface LlmCallContext {
  /** Marks the first content chunk of a stream (records time to first token once). */
  firstToken(): void;
  /** Adds provider-reported usage. */
  usage(tokens: TokenUsage): void;
  /** Adds a cost in USD. */
  cost(usd: number): void;
}
export interface TtsCallContext {
  /** Marks the first audio byte (records time to first audio once). */
  firstAudio(): void;
  characters(count: number): void;
  audioSeconds(seconds: number): void;
  cost(usd: number): void;
}
export interface SttCallContext {
  audioSeconds(seconds: number): void;
  cost(usd: number): void;
}

export interface LlmCallAttributes extends RecordAttributes {
  provider: string;
  model: string;
  operation?: string;
}
export interface SpeechCallAttributes extends RecordAttributes {
  provider: string;
  model: string;
}
export interface DbQueryAttributes extends RecordAttributes {
  db_system: string;
  operation: string;
  table?: string;
}
export interface ExternalApiAttributes extends RecordAttributes {
  service: string;
  endpoint: string;
}

/**
 * A call started with `start*Call`: `end()` records it once (later calls are ignored).
 * `end(error)` records a failure: an Error is classified into the taxonomy, and a taxonomy
 * string such as `'stream_error'` is used as it is.
 */
export interface TimedCall {
  end(error?: unknown): void;
}
export interface LlmCall extends LlmCallContext, TimedCall {}
export interface TtsCall extends TtsCallContext, TimedCall {}
export interface SttCall extends SttCallContext, TimedCall {}

/** Standard (TC39) method decorators in the style of the La Factoria guide. */
export type MethodDecorator = <This, Args extends unknown[], Return>(
  method: (this: This, ...args: Args) => Return,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
) => (this: This, ...args: Args) => Return;

export interface MeterDecorators {
  /** `@meter.decorators.trackDbOperation('select', 'users')` */
  trackDbOperation(operation: string, table?: string, dbSystem?: string): MethodDecorator;
  /** `@meter.decorators.trackExternalApi('openai', 'completions')` */
  trackExternalApi(service: string, endpoint: string): MethodDecorator;
}

/** A session: `end()` records its duration and decrements active sessions (idempotent). */
export interface Session {
  end(): void;
}

/** An explicit outcome for helpers given a function: `status` overrides `success`/`error`. */
export interface TrackOptions {
  /** Component label on agentmeter_errors_total when the function throws. */
  component?: string;
}

/** The meter: catalog instruments, helpers and custom metrics. Never throws at record time. */
export interface AgentMeter {
  readonly namespace: string;
  readonly instruments: CatalogInstruments;
  /**
   * Hands agentmeter's aggregated data to any OpenTelemetry MetricReader:
   * `new PeriodicExportingMetricReader({ exporter, metricProducers: [meter.metricProducer] })`.
   * Undefined when the meter records through a given MeterProvider.
   */
  readonly metricProducer: MetricProducer | undefined;
  /** Runs before every collection, e.g. to read pool sizes into gauges. Returns an unsubscribe function. */
  onCollect(callback: () => void): () => void;

  /** Starts a call whose end the caller marks, for streams and callback APIs. */
  startLlmCall(attributes: LlmCallAttributes): LlmCall;
  startTtsCall(attributes: SpeechCallAttributes): TtsCall;
  startSttCall(attributes: SpeechCallAttributes): SttCall;
  startDbQuery(attributes: DbQueryAttributes): TimedCall;
  startExternalApi(attributes: ExternalApiAttributes): TimedCall;

  /** Runs fn and records it; works for sync and async functions, and rethrows fn's error untouched. */
  trackRequest<T>(attributes: RecordAttributes, fn: () => T, options?: TrackOptions): T;
  trackLlmCall<T>(attributes: LlmCallAttributes, fn: (call: LlmCallContext) => T): T;
  trackTtsCall<T>(attributes: SpeechCallAttributes, fn: (call: TtsCallContext) => T): T;
  trackSttCall<T>(attributes: SpeechCallAttributes, fn: (call: SttCallContext) => T): T;
  trackDbQuery<T>(attributes: DbQueryAttributes, fn: () => T): T;
  trackExternalApi<T>(attributes: ExternalApiAttributes, fn: () => T): T;
  trackContentGeneration<T>(attributes: RecordAttributes & { content_type: string }, fn: () => T): T;
  /** Counts an error (an Error is classified into the taxonomy; a string must be a taxonomy type or is `other`). */
  trackError(error: unknown, attributes?: RecordAttributes & { component?: string }): ErrorType;

  startSession(attributes?: RecordAttributes): Session;
  recordTokens(attributes: LlmCallAttributes, usage: TokenUsage): void;
  recordCost(attributes: RecordAttributes & { provider: string; service: string; model: string }, usd: number): void;
  recordCacheOperation(
    attributes: RecordAttributes & { operation: string; result: 'hit' | 'miss' | 'ok' | 'error'; cache?: string },
  ): void;
  recordConversationExchange(attributes: RecordAttributes & { intent: string }, scores?: { quality?: number }): void;
  recordEngagement(score: number, attributes?: RecordAttributes): void;
  recordHealthCheck(dependency: string, healthy: boolean, seconds: number): void;

  readonly decorators: MeterDecorators;

  /** Custom metrics (La Factoria style), created on first use under the namespace. */
  increment(name: string, tags?: RecordAttributes, value?: number): void;
  gauge(name: string, value: number, tags?: RecordAttributes): void;
  observe(name: string, value: number, tags?: RecordAttributes): void;
  time<T>(name: string, tags: RecordAttributes, fn: () => T): T;
}
