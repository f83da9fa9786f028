import type { MeterProvider } from '@opentelemetry/api';
import {
  type AgentMeter, AgentMeterConfigError, createPricingTable, type PriceSourceInfo, type PricingTable, type RecordAttributes,
} from '@agentmeter/core';
import { GenAiMetrics } from '@agentmeter/core/internal';
import { LlmRecorder } from './recorder.ts';

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
   * Also record the OTel GenAI semantic-convention client metrics (`gen_ai.client.operation.duration`,
   * `gen_ai.client.token.usage`, and for streams `gen_ai.client.operation.time_to_first_chunk` and
   * `gen_ai.client.operation.time_per_output_chunk`) through this MeterProvider, or the global one
   * (the one `start()` registers). Default: on, through the global provider (env
   * AGENTMETER_GENAI_METRICS=false turns it off); @agentmeter/prometheus leaves them off /metrics
   * unless asked, so they travel over OTLP without doubling the Prometheus series.
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

const PROVIDER_LABEL = /^[a-z][a-z0-9_.-]{0,63}$/;

function fail(fn: string, message: string): never {
  throw new AgentMeterConfigError(`${fn}: ${message}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' || typeof value === 'function' ? `a ${typeof value}` : `${typeof value} ${String(value).slice(0, 40)}`;
}

function isMeter(value: unknown): value is AgentMeter {
  return typeof value === 'object' && value !== null
    && typeof (value as AgentMeter).instruments === 'object' && (value as AgentMeter).instruments !== null
    && typeof (value as AgentMeter).startLlmCall === 'function';
}

function isPricingTable(value: unknown): value is PricingTable {
  return typeof value === 'object' && value !== null
    && typeof (value as PricingTable).cost === 'function' && typeof (value as PricingTable).lookup === 'function'
    && typeof (value as PricingTable).resolve === 'function';
}

/** Publishes which LLM price data the meter's costs come from, and its date (pricing.source.published). */
function recordPriceSource(meter: AgentMeter, source: PriceSourceInfo): void {
  const published = Date.parse(`${source.published}T00:00:00Z`) / 1000;
  if (Number.isFinite(published)) meter.instruments.pricingSource.set(published, { source: source.name, version: source.version });
}

/** Checks the options at wrap time and builds the client's recorder; mistakes throw with what to change. */
export function createRecorder(
  fn: string, options: LlmInstrumentOptions | undefined, defaultProvider: string, genAiProviderName?: string,
): { recorder: LlmRecorder; provider: string } {
  if (typeof options !== 'object' || options === null) {
    fail(fn, `options must be an object with a "meter" (e.g. ${fn}(client, { meter })); got ${describe(options)}`);
  }
  if (!isMeter(options.meter)) {
    fail(fn, `options.meter must be an AgentMeter from createAgentMeter() or start(); got ${describe(options.meter)}`);
  }
  const provider = options.provider ?? defaultProvider;
  if (typeof provider !== 'string' || !PROVIDER_LABEL.test(provider)) {
    fail(fn, `options.provider must be a short lower-case name such as "groq" (letters, digits, _ . -); got ${describe(provider)}`);
  }
  const { pricing, clock, genAiMetrics, attributes } = options;
  if (attributes !== undefined && (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))) {
    fail(fn, `options.attributes must be an object of static labels such as { tenant: 'acme' }; got ${describe(attributes)}`);
  }
  for (const key of ['provider', 'model', 'operation', 'status', 'token_type', 'error_type']) {
    if (attributes !== undefined && key in attributes) fail(fn, `options.attributes must not set "${key}": the wrapper sets it`);
  }
  if (pricing !== undefined && pricing !== false && !isPricingTable(pricing)) {
    fail(fn, `options.pricing must be a table from createPricingTable() or false; got ${describe(pricing)}`);
  }
  if (clock !== undefined && typeof clock !== 'function') fail(fn, `options.clock must be a function returning milliseconds; got ${describe(clock)}`);
  if (genAiMetrics !== undefined && typeof genAiMetrics !== 'boolean' && (typeof genAiMetrics !== 'object' || genAiMetrics === null)) {
    fail(fn, `options.genAiMetrics must be true, false or { meterProvider }; got ${describe(genAiMetrics)}`);
  }
  const semconvOn = genAiMetrics === undefined ? process.env.AGENTMETER_GENAI_METRICS?.trim().toLowerCase() !== 'false' : genAiMetrics !== false;
  const semconv = semconvOn
    ? new GenAiMetrics(typeof genAiMetrics === 'object' ? genAiMetrics.meterProvider : undefined, genAiProviderName)
    : undefined;
  const table = pricing === false ? undefined : (pricing ?? createPricingTable());
  if (table?.source !== undefined) recordPriceSource(options.meter, table.source);
  const recorder = new LlmRecorder(options.meter, table, clock ?? (() => performance.now()), semconv, attributes === undefined ? {} : { ...attributes });
  return { recorder, provider };
}
