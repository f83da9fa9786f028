/**
 * What agentmeter's own packages share and users do not call: cells and the producer, so
 * @agentmeter/node records HTTP metrics into the same storage and export path as the meter.
 */
import type { AgentMeter } from './types.ts';
import { AgentMeterProducer } from './aggregation/producer.ts';
import type { InstrumentSource } from './aggregation/producer.ts';

export { AgentMeterProducer } from './aggregation/producer.ts';
export type { InstrumentSource, ProducedInstrument } from './aggregation/producer.ts';
export { HistogramCell, UpDownCounterCell } from './aggregation/cells.ts';
export type { CellOwner } from './aggregation/cells.ts';

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
export { isWrapped, originalOf, orOriginal, safeExecuteInTheMiddle, safely, unwrap, wrap, wrapBound } from './kit/wrap.ts';
export type { AnyFunction } from './kit/wrap.ts';
export { isApiPromise, observeApiPromise, observeIterator } from './kit/observe.ts';
export type { ApiPromiseObserver, IteratorObserver } from './kit/observe.ts';
export {
  configFail, describeValue, isAgentMeter, LABEL_OPTION, labelOption, requireMeter, resolveSemconv,
} from './kit/options.ts';
export type { SemconvOption } from './kit/options.ts';
export { claimClient } from './helpers/wrap-once.ts';
export { runTracked } from './helpers/run.ts';
