/**
 * What agentmeter's own packages share and users do not call: cells and the producer (so
 * @agentmeter/node records HTTP metrics into the same storage and export path as the meter), the
 * warner, the wrapper helpers, the GenAI series, exemplar access for the serializers, and the
 * metric reference renderer. Not part of the user-facing API: it may change in any release.
 */
import type { AgentMeter } from './types.ts';
import { AgentMeterProducer } from './aggregation/producer.ts';
import type { InstrumentSource } from './aggregation/producer.ts';

export { AgentMeterProducer } from './aggregation/producer.ts';
export type { InstrumentSource, ProducedInstrument } from './aggregation/producer.ts';
export { lendPool, PointPool } from './aggregation/point-pool.ts';
export { HistogramCell, UpDownCounterCell } from './aggregation/cells.ts';
export type { CellOwner } from './aggregation/cells.ts';
export { kindOfMetric, prometheusTypeOf } from './aggregation/kinds.ts';
export type { PrometheusType } from './aggregation/kinds.ts';
export { CLASSIC_BUCKETS, EXEMPLARS, getClassicBuckets, getExemplars } from './aggregation/exemplars.ts';
export type { Exemplar } from './aggregation/exemplars.ts';
export { GenAiMetrics, SPEECH_OPERATIONS } from './genai.ts';
export type { GenAiSeries } from './genai.ts';
export { Warner } from './safety/warn.ts';
export { runTracked } from './helpers/run.ts';
export { guardCreation, neverThrows } from './helpers/guard.ts';
export { claimClient, rewrapped } from './helpers/wrap-once.ts';
export { renderMetricsMarkdown } from './catalog/markdown.ts';

/**
 * Adds the source's instruments to what the meter's producer reports, so every reader given the
 * meter exports them. Returns the function that removes them, or undefined when the meter has no
 * producer of its own (one built on a MeterProvider).
 */
export function addInstrumentSource(meter: AgentMeter, source: InstrumentSource): (() => void) | undefined {
  const producer = meter.metricProducer;
  return producer instanceof AgentMeterProducer ? producer.addSource(source) : undefined;
}

// The wrapper kit: patching, observation and option checks every wrapper package shares.
export { attempt, isWrapped, originalOf, safeExecuteInTheMiddle, safely, unwrap, wrap, wrapBound } from './kit/wrap.ts';
export type { AnyFunction } from './kit/wrap.ts';
export { isApiPromise, observeApiPromise, observeIterator } from './kit/observe.ts';
export type { ApiPromiseObserver, IteratorObserver } from './kit/observe.ts';
export {
  configFail,
  describeValue,
  isAgentMeter,
  LABEL_OPTION,
  labelOption,
  requireMeter,
  resolveSemconv,
} from './kit/options.ts';
export type { SemconvOption } from './kit/options.ts';

// The recording kernel: what each kind of call records, over cached bound series.
export { LlmCallState, LlmRecorder, modelLabel } from './kernel/llm.ts';
export type { LlmRecorderOptions } from './kernel/llm.ts';
export { FINISH_REASONS, LlmSeries } from './kernel/llm-series.ts';
export type { FinishReason } from './kernel/llm-series.ts';
export { OutcomeSeries, OutcomeTable } from './kernel/outcome.ts';
