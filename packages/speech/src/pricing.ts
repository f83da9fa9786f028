import type { PriceEntry } from '@agentmeter/core';

/** What a call used, in the units providers bill by. */
export interface SpeechUsage {
  characters?: number;
  seconds?: number;
}

/**
 * The cost in USD of a speech call: the newest row of the provider whose model is the call's
 * model or its longest prefix (so `eleven_flash_v2_5` matches `eleven_flash`), priced by the
 * row's unit. Undefined when no row matches or the usage lacks the row's unit.
 */
export function speechCost(rows: readonly PriceEntry[], provider: string, model: string, usage: SpeechUsage): number | undefined {
  let best: PriceEntry | undefined;
  for (const row of rows) {
    if (row.provider !== provider || !model.startsWith(row.model)) continue;
    // A longer model prefix wins, then a later effective date; earlier rows (user prices) win ties.
    if (best === undefined || row.model.length > best.model.length || (row.model.length === best.model.length && row.effective > best.effective)) {
      best = row;
    }
  }
  if (best?.price === undefined) return undefined;
  switch (best.unit) {
    case 'character':
      return usage.characters === undefined ? undefined : usage.characters * best.price;
    case 'second':
      return usage.seconds === undefined ? undefined : usage.seconds * best.price;
    case 'minute':
      return usage.seconds === undefined ? undefined : (usage.seconds / 60) * best.price;
    case 'request':
      return best.price;
    default:
      return undefined;
  }
}
