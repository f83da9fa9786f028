import { AgentMeterConfigError, createPricingTable, type AgentMeter, type PricingTable } from '@agentmeter/core';
import { Warner } from '@agentmeter/core/internal';

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
  if (typeof options !== 'object' || options === null) {
    throw new AgentMeterConfigError(`${wrapper}: pass options with a meter, e.g. ${wrapper}(client, { meter }) where meter = createAgentMeter().`);
  }
  const { meter, provider, pricing, clock } = options as Partial<SpeechInstrumentOptions>;
  if (typeof meter !== 'object' || meter === null || typeof meter.startTtsCall !== 'function' || typeof meter.startSttCall !== 'function') {
    throw new AgentMeterConfigError(`${wrapper}: options.meter must be an AgentMeter from createAgentMeter() or start().`);
  }
  if (provider !== undefined && (typeof provider !== 'string' || !/^[a-z0-9_.-]{1,64}$/i.test(provider))) {
    throw new AgentMeterConfigError(`${wrapper}: options.provider must be 1-64 letters, digits, '_', '-' or '.'; got ${describe(provider)}.`);
  }
  if (pricing !== undefined && pricing !== false && typeof (pricing as Partial<PricingTable> | null)?.cost !== 'function') {
    throw new AgentMeterConfigError(`${wrapper}: options.pricing must be a table from createPricingTable() or false; got ${describe(pricing)}.`);
  }
  if (clock !== undefined && typeof clock !== 'function') {
    throw new AgentMeterConfigError(`${wrapper}: options.clock must be a function returning milliseconds.`);
  }
  return {
    meter,
    provider: provider ?? defaultProvider,
    pricing: pricing === false ? undefined : (pricing ?? createPricingTable()),
    warner: new Warner(),
    clock: clock ?? (() => performance.now()),
  };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.slice(0, 40)}'`;
  return value === null ? 'null' : typeof value;
}
