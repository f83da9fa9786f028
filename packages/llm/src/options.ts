import type { MeterProvider } from '@opentelemetry/api';
import {
  configFail,
  describeValue,
  labelOption,
  requireMeter,
  resolveSemconv,
  type SemconvOption,
} from '@agentmeter/core/internal';
import {
  type AgentMeter,
  createPricingTable,
  type PriceSourceInfo,
  type PricingTable,
  type RecordAttributes,
} from '@agentmeter/core';
import { GenAiMetrics } from '@agentmeter/core/internal';
import { LlmRecorder } from './recorder.ts';
import { performance } from 'node:perf_hooks';

/** Options of every `instrument*` function in this package. */
export interface LlmInstrumentOptions {
  /** The meter to record into (from `createAgentMeter` or `@agentmeter/node`'s `start`). */
  readonly meter: AgentMeter;
  /**
   * The `provider` label. Default: `openai`, `anthropic` or `google` by client; for OpenAI-compatible
   * clients, derived from `baseURL` (Groq, Mistral, Together, DeepSeek, local servers, ...).
   */
  readonly provider?: string;
  /**
   * Prices for the cost metric: a table from `createPricingTable` (to override or extend the bundled
   * prices), or `false` to record no cost. Default: the bundled table plus AGENTMETER_PRICING_FILE.
   */
  readonly pricing?: PricingTable | false;
  /**
   * The semantic-convention switch: also record the OTel GenAI semantic-convention client metrics (`gen_ai.client.operation.duration`,
   * `gen_ai.client.token.usage`, and for streams `gen_ai.client.operation.time_to_first_chunk` and
   * `gen_ai.client.operation.time_per_output_chunk`) through this MeterProvider, or the global one
   * (the one `start()` registers). Default: on, through the global provider (env
   * AGENTMETER_GENAI_METRICS=false turns it off); @agentmeter/prometheus leaves them off /metrics
   * unless asked, so they travel over OTLP without doubling the Prometheus series. `true` or
   * `'global'`: the global provider; `false`: off; or a MeterProvider.
   */
  readonly semconv?: SemconvOption;
  /**
   * Deprecated alias of `semconv`, still honoured: `true`, `false` or `{ meterProvider }`. When
   * both are given, `semconv` wins.
   * @deprecated Use `semconv` (the name the database wrappers use for the same switch).
   */
  readonly genAiMetrics?: boolean | { readonly meterProvider?: MeterProvider };
  /**
   * Static labels for every llm series of this client, e.g. `{ tenant: 'acme' }`; the keys must be
   * declared in the meter's `attributes: { llm: [...] }`. Never put prompts or keys here.
   */
  readonly attributes?: RecordAttributes;
  /** Monotonic clock in milliseconds, for tests (default `performance.now`). */
  readonly clock?: () => number;
}

function isPricingTable(value: unknown): value is PricingTable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PricingTable).cost === 'function' &&
    typeof (value as PricingTable).lookup === 'function' &&
    typeof (value as PricingTable).resolve === 'function'
  );
}

/** Publishes which LLM price data the meter's costs come from, and its date (pricing.source.published). */
function recordPriceSource(meter: AgentMeter, source: PriceSourceInfo): void {
  const published = Date.parse(`${source.published}T00:00:00Z`) / 1000;
  if (Number.isFinite(published))
    meter.instruments.pricingSource.set(published, { source: source.name, version: source.version });
}

/**
 * The semantic-convention switch: `semconv`, else its deprecated alias `genAiMetrics`, else on
 * unless AGENTMETER_GENAI_METRICS=false.
 */
function semconvOf(fn: string, options: LlmInstrumentOptions): MeterProvider | 'global' | undefined {
  const { semconv, genAiMetrics } = options;
  if (semconv !== undefined || genAiMetrics === undefined) {
    return resolveSemconv(fn, semconv, process.env.AGENTMETER_GENAI_METRICS?.trim().toLowerCase() !== 'false');
  }
  if (typeof genAiMetrics === 'boolean') return genAiMetrics ? 'global' : undefined;
  if (typeof genAiMetrics !== 'object' || genAiMetrics === null) {
    configFail(fn, `options.genAiMetrics must be true, false or { meterProvider }; got ${describeValue(genAiMetrics)}`);
  }
  return genAiMetrics.meterProvider ?? 'global';
}

/** Checks the options at wrap time and builds the client's recorder; mistakes throw with what to change. */
export function createRecorder(
  fn: string,
  options: LlmInstrumentOptions | undefined,
  defaultProvider: string,
  genAiProviderName?: string,
): { recorder: LlmRecorder; provider: string } {
  requireMeter(fn, options);
  const provider = labelOption(
    fn,
    'provider',
    options.provider,
    defaultProvider,
    'must be a short lower-case name such as "groq" (letters, digits, _ . -)',
  );
  const { pricing, clock, attributes } = options;
  if (
    attributes !== undefined &&
    (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))
  ) {
    configFail(
      fn,
      `options.attributes must be an object of static labels such as { tenant: 'acme' }; got ${describeValue(attributes)}`,
    );
  }
  for (const key of ['provider', 'model', 'operation', 'status', 'token_type', 'error_type']) {
    if (attributes !== undefined && key in attributes)
      configFail(fn, `options.attributes must not set "${key}": the wrapper sets it`);
  }
  if (pricing !== undefined && pricing !== false && !isPricingTable(pricing)) {
    configFail(fn, `options.pricing must be a table from createPricingTable() or false; got ${describeValue(pricing)}`);
  }
  if (clock !== undefined && typeof clock !== 'function')
    configFail(fn, `options.clock must be a function returning milliseconds; got ${describeValue(clock)}`);
  const through = semconvOf(fn, options);
  const semconv =
    through === undefined ? undefined : new GenAiMetrics(through === 'global' ? undefined : through, genAiProviderName);
  const table = pricing === false ? undefined : (pricing ?? createPricingTable());
  if (table?.source !== undefined) recordPriceSource(options.meter, table.source);
  const recorder = new LlmRecorder(
    options.meter,
    table,
    clock ?? (() => performance.now()),
    semconv,
    attributes === undefined ? {} : { ...attributes },
  );
  return { recorder, provider };
}
