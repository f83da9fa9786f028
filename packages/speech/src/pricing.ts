import type { PriceEntry } from '@agentmeter/core';

/** What a call used, in the units providers bill by. */
export interface SpeechUsage {
  characters?: number;
  seconds?: number;
}

/**
 * The cost in USD of a speech call: the newest row (by `effective`) for the provider and the exact
 * model, earlier rows (the user's) winning ties, priced by the row's unit. Undefined when no row
 * matches or the usage lacks the row's unit.
 */
export function speechCost(rows: readonly PriceEntry[], provider: string, model: string, usage: SpeechUsage): number | undefined {
  let best: PriceEntry | undefined;
  const today = new Date().toISOString().slice(0, 10);
  for (const row of rows) {
    if (row.provider !== provider || row.model !== model || row.effective > today) continue;
    if (best === undefined || row.effective > best.effective) best = row;
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
