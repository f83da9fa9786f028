import type { PriceEntry } from '../types.ts';
import { entryFor, findSourceModel, nextChange, priceIndexAt } from './resolve.ts';
import { SOURCE_PROVIDER_IDS } from './providers.ts';
import type { PriceSource, SourceConstraint, SourceModel } from './types.ts';

/** Most provider/model names whose match is remembered; past it, names are matched on every lookup. */
const MAX_REMEMBERED = 2000;
const NO_MODEL = null;

interface Known {
  readonly model: SourceModel;
  /** The row of each price set, built on first use. */
  readonly entries: (PriceEntry | undefined)[];
}

/** A row in effect and the first moment (epoch ms) another row could take over. */
export interface ResolvedPrice {
  readonly entry: PriceEntry;
  readonly until: number;
}

/**
 * The bundled price source as a pricing-table layer: a provider label and model name matched once
 * (the source's rules, regexes included) and remembered, each price set turned into a row once.
 */
export class SourceLayer {
  readonly source: PriceSource;
  readonly #known = new Map<string, Known | typeof NO_MODEL>();

  constructor(source: PriceSource) {
    this.source = source;
  }

  resolve(key: string, provider: string, model: string, at: number): ResolvedPrice | undefined {
    let known = this.#known.get(key);
    if (known === undefined) {
      const label = provider.toLowerCase();
      const providerId = Object.hasOwn(SOURCE_PROVIDER_IDS, label) ? SOURCE_PROVIDER_IDS[label] : undefined;
      const found = providerId === undefined ? undefined : findSourceModel(this.source, providerId, model);
      known = found === undefined ? NO_MODEL : { model: found, entries: [] };
      if (this.#known.size < MAX_REMEMBERED) this.#known.set(key, known);
    }
    if (known === NO_MODEL) return undefined;
    const index = priceIndexAt(known.model, at);
    let entry = known.entries[index];
    if (entry === undefined) {
      const sets = known.model.prices;
      const constraint = Array.isArray(sets)
        ? (sets as readonly { readonly constraint?: SourceConstraint }[])[index]?.constraint
        : undefined;
      const effective = constraint?.type === 'start_date' ? constraint.start_date : '1970-01-01';
      entry = entryFor(this.source, provider.toLowerCase(), model, known.model, index, effective);
      if (entry === undefined) return undefined;
      known.entries[index] = entry;
    }
    return { entry, until: nextChange(known.model, at) };
  }
}
