import { createPricingTable, type AgentMeter, type PricingTable } from '@agentmeter/core';
import { configFail, describeValue, labelOption, requireMeter, Warner } from '@agentmeter/core/internal';
import { performance } from 'node:perf_hooks';

/** Options every speech wrapper takes. */
export interface SpeechInstrumentOptions {
  /** The meter to record through (from `createAgentMeter()` or `start()`). */
  meter: AgentMeter;
  /** The `provider` label (defaults to the wrapper's provider, e.g. `elevenlabs`). */
  provider?: string;
  /**
   * The pricing table for the cost metric (as the LLM wrappers take it), or `false` for none.
   * Default: `createPricingTable()` (the bundled LLM and speech rows), with the rows of the JSON file named by
   * AGENTMETER_PRICING_FILE overriding the bundled ones.
   */
  pricing?: PricingTable | false;
  /**
   * Monotonic clock in ms for the timings the wrapper takes itself (live STT finalization);
   * default `performance.now`. Give the meter's clock in tests.
   */
  clock?: () => number;
}

/** What a wrapper needs at record time, resolved once. */
export interface SpeechRuntime {
  readonly meter: AgentMeter;
  readonly provider: string;
  /** Undefined when cost is switched off. */
  readonly pricing: PricingTable | undefined;
  readonly warner: Warner;
  readonly clock: () => number;
}

/** Checks options at creation: a wrong meter or provider fails here with what to change. */
export function resolveSpeechOptions(wrapper: string, options: unknown, defaultProvider: string): SpeechRuntime {
  const given = options as SpeechInstrumentOptions | undefined;
  requireMeter(wrapper, given);
  const { meter, provider, pricing, clock } = given;
  if (
    pricing !== undefined &&
    pricing !== false &&
    typeof (pricing as Partial<PricingTable> | null)?.cost !== 'function'
  ) {
    configFail(
      wrapper,
      `options.pricing must be a table from createPricingTable() or false; got ${describeValue(pricing)}.`,
    );
  }
  if (clock !== undefined && typeof clock !== 'function')
    configFail(wrapper, 'options.clock must be a function returning milliseconds.');
  return {
    meter,
    provider: labelOption(wrapper, 'provider', provider, defaultProvider),
    pricing: pricing === false ? undefined : (pricing ?? createPricingTable()),
    warner: new Warner(),
    clock: clock ?? (() => performance.now()),
  };
}
