/**
 * The instrument catalog, the meter, the track* helpers, custom metrics, pricing and the error taxonomy.
 *
 * @packageDocumentation
 * @module @agentmeter/core
 */
export { createAgentMeter } from './meter.ts';
export { CATALOG, CATALOG_KEYS } from './catalog/instruments.ts';
export { EXTERNAL_METRICS, SEED_RECORDING_RULES } from './catalog/external.ts';
export {
  DB_SECONDS,
  FIRST_OUTPUT_SECONDS,
  GENERATION_SECONDS,
  PROVIDER_SECONDS,
  REQUEST_SECONDS,
  SCORE,
  SESSION_SECONDS,
} from './catalog/buckets.ts';
export { prometheusName, prometheusLabelName } from './naming.ts';
export { classifyError, classifyFailure, classifyStatus } from './classify.ts';
export type { FailurePhase } from './classify.ts';
export { AgentMeterConfigError, ERROR_TYPES } from './errors.ts';
export { OVERFLOW_ATTRIBUTES } from './aggregation/instrument.ts';
export { meterProviderViews } from './aggregation/sdk-views.ts';
export type { AgentMeterSdkView } from './aggregation/sdk-views.ts';
export { AGENTMETER_SCOPE } from './scope.ts';
export {
  GEN_AI_CHUNK_BUCKETS,
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_FIRST_CHUNK_BUCKETS,
  GEN_AI_TOKEN_BUCKETS,
} from './genai.ts';
export { SPEECH_PRICES } from './pricing/speech-prices.ts';

export type { CatalogKey, KindOf } from './catalog/instruments.ts';
export type { ClusterMerge, ExternalMetricSpec, Family, InstrumentKind, InstrumentSpec } from './catalog/types.ts';
export type { ErrorType } from './errors.ts';
export type { BillingUnit, PriceEntry, PriceTier, TokenRates, TokenType } from './pricing/types.ts';
export type { ModelMatch, PriceSource, SourceModel, SourcePrices, SourceProvider } from './pricing/source/types.ts';
export type {
  AgentMeter,
  AgentMeterOptions,
  AttributeValue,
  BoundCounter,
  BoundGauge,
  BoundHistogram,
  BoundUpDownCounter,
  CatalogInstruments,
  CounterInstrument,
  DbQueryAttributes,
  ExternalApiAttributes,
  GaugeInstrument,
  HistogramInstrument,
  Instrument,
  InstrumentFor,
  InstrumentOfKind,
  LlmCall,
  LlmCallAttributes,
  LlmCallContext,
  MeterDecorators,
  MethodDecorator,
  RecordAttributes,
  Session,
  SpeechCallAttributes,
  SttCall,
  SttCallContext,
  TimedCall,
  TokenUsage,
  TrackOptions,
  TtsCall,
  TtsCallContext,
  UpDownCounterInstrument,
} from './types.ts';
export { createPricingTable, loadPriceFile } from './pricing/table.ts';
export type { PricedUsage, PriceSourceInfo, PricingTable, PricingTableOptions } from './pricing/table.ts';
export type { ResolvedPrice } from './pricing/source/layer.ts';
export { COST_TYPES, tokenCosts } from './pricing/price.ts';
export type { CostType, UsageAmounts } from './pricing/price.ts';
export { TOKEN_TYPES } from './pricing/types.ts';
export { DEFAULT_PRICES } from './pricing/default-prices.ts';
export { LLM_PRICE_SOURCE } from './pricing/source/data.ts';
