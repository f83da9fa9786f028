import type { AgentMeter, PricingTable, RecordAttributes } from '@agentmeter/core';
import { type GenAiMetrics, LlmRecorder as KernelRecorder } from '@agentmeter/core/internal';
import { classifyLlmError } from './classify.ts';

export { FINISH_REASONS, type FinishReason, type LlmCallState } from '@agentmeter/core/internal';

/**
 * The recording kernel's LLM recorder for one instrumented client, with the LLM SDKs' error
 * mapping and the meter it records through (realtime sessions and tool runs use the meter too).
 */
export class LlmRecorder extends KernelRecorder {
  readonly meter: AgentMeter;

  constructor(
    meter: AgentMeter,
    pricing: PricingTable | undefined,
    clock: () => number,
    semconv: GenAiMetrics | undefined,
    attributes: RecordAttributes = {},
  ) {
    super({ instruments: meter.instruments, pricing, clock, semconv, attributes, classify: classifyLlmError });
    this.meter = meter;
  }
}
