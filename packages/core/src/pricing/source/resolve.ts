import type { PriceEntry, PriceTier, TokenType } from '../types.ts';
import type {
  ModelMatch,
  PriceSource,
  SourceConstraint,
  SourceModel,
  SourcePriceKey,
  SourcePrices,
  SourceProvider,
  SourceRate,
} from './types.ts';

/*
 * The source's own matching and date rules, as @pydantic/genai-prices applies them in calcPrice:
 * provider by id, then the first model whose match holds (the id lower-cased and trimmed, then with
 * a -YYYYMMDD suffix written -YYYY-MM-DD), then the provider's fallback providers; among dated
 * prices, the last whose constraint holds, else the first.
 */

function matches(match: ModelMatch, id: string): boolean {
  if ('or' in match) return match.or.some((m) => matches(m, id));
  if ('and' in match) return match.and.every((m) => matches(m, id));
  if ('equals' in match) return id === match.equals.toLowerCase();
  if ('starts_with' in match) return id.startsWith(match.starts_with.toLowerCase());
  if ('ends_with' in match) return id.endsWith(match.ends_with.toLowerCase());
  if ('contains' in match) return id.includes(match.contains.toLowerCase());
  return new RegExp(match.regex).test(id);
}

const DATE_SUFFIX = /(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

function withDashedDate(id: string): string {
  return id.replace(DATE_SUFFIX, (whole: string, dash: string, y: string, m: string, d: string) => {
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    return date.getUTCFullYear() !== Number(y) ||
      date.getUTCMonth() !== Number(m) - 1 ||
      date.getUTCDate() !== Number(d)
      ? whole
      : `${dash}${y}-${m}-${d}`;
  });
}

function findIn(
  source: PriceSource,
  provider: SourceProvider,
  id: string,
  followFallbacks: boolean,
): SourceModel | undefined {
  const found = provider.models.find((model) => matches(model.match, id));
  if (found !== undefined || !followFallbacks) return found;
  for (const fallbackId of provider.fallback_model_providers ?? []) {
    const fallback = source.providers.find((p) => p.id === fallbackId);
    const model = fallback === undefined ? undefined : findIn(source, fallback, id, false);
    if (model !== undefined) return model;
  }
  return undefined;
}

/** The source's model for a provider id and a model name, or undefined. */
export function findSourceModel(source: PriceSource, providerId: string, model: string): SourceModel | undefined {
  const provider = source.providers.find((p) => p.id === providerId);
  if (provider === undefined) return undefined;
  const id = model.toLowerCase().trim();
  const found = findIn(source, provider, id, true);
  if (found !== undefined) return found;
  const dashed = withDashedDate(id);
  return dashed === id ? undefined : findIn(source, provider, dashed, true);
}

const DAY_MS = 86_400_000;

/** Milliseconds after UTC midnight of a time of day such as "00:30:00Z" or "08:00:00+08:00". */
function timeOfDay(text: string): number {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (m === null) return Number.NaN;
  const [, h, min, s, frac = '', , sign, oh = '00', om = '00'] = m;
  const local = (Number(h) * 3600 + Number(min) * 60 + Number(s) + Number(`0.${frac}`)) * 1000;
  const offset = (Number(oh) * 60 + Number(om)) * 60_000 * (sign === '-' ? -1 : sign === '+' ? 1 : 0);
  return (((local - offset) % DAY_MS) + DAY_MS) % DAY_MS;
}

function holds(constraint: SourceConstraint, at: number): boolean {
  if (constraint.type === 'start_date') return at >= Date.parse(constraint.start_date);
  const now = ((at % DAY_MS) + DAY_MS) % DAY_MS;
  const start = timeOfDay(constraint.start_time);
  const end = timeOfDay(constraint.end_time);
  return end < start ? now >= start || now < end : now >= start && now < end;
}

/** The index of the price set in effect at `at` (always 0 for a model with one set). */
export function priceIndexAt(model: SourceModel, at: number): number {
  if (!Array.isArray(model.prices)) return 0;
  const sets = model.prices as readonly { readonly constraint?: SourceConstraint }[];
  for (let i = sets.length - 1; i >= 0; i--) {
    const constraint = sets[i]!.constraint;
    if (constraint === undefined || holds(constraint, at)) return i;
  }
  return 0;
}

/** The first moment after `at` when another of the model's price sets could take over (Infinity: never). */
export function nextChange(model: SourceModel, at: number): number {
  if (!Array.isArray(model.prices)) return Number.POSITIVE_INFINITY;
  let next = Number.POSITIVE_INFINITY;
  const dayStart = at - (((at % DAY_MS) + DAY_MS) % DAY_MS);
  for (const { constraint } of model.prices as readonly { readonly constraint?: SourceConstraint }[]) {
    if (constraint === undefined) continue;
    const times =
      constraint.type === 'start_date'
        ? [Date.parse(constraint.start_date)]
        : [constraint.start_time, constraint.end_time].flatMap((t) => [
            dayStart + timeOfDay(t),
            dayStart + DAY_MS + timeOfDay(t),
          ]);
    for (const time of times) if (time > at && time < next) next = time;
  }
  return next;
}

function pricesOf(model: SourceModel, index: number): SourcePrices {
  return Array.isArray(model.prices)
    ? (model.prices as readonly { readonly prices: SourcePrices }[])[index]!.prices
    : (model.prices as SourcePrices);
}

/** Which source price each token type is billed at, most specific first, as the source decomposes usage. */
const PRICE_KEYS: Readonly<Record<TokenType, readonly SourcePriceKey[]>> = {
  input: ['input_mtok'],
  cached_input: ['cache_read_mtok', 'input_mtok'],
  cache_write: ['cache_write_mtok', 'input_mtok'],
  input_audio: ['input_audio_mtok', 'input_mtok'],
  output: ['output_mtok'],
  reasoning: ['output_reasoning_mtok', 'output_mtok'],
  output_audio: ['output_audio_mtok', 'output_mtok'],
};

/**
 * A pricing-table row for one of the source's price sets: every token type's rate made explicit,
 * tiers merged by threshold. Undefined when the set prices no token (e.g. an audio-hours model).
 */
export function entryFor(
  source: PriceSource,
  provider: string,
  model: string,
  sourceModel: SourceModel,
  index: number,
  effective: string,
): PriceEntry | undefined {
  const prices = pricesOf(sourceModel, index);
  const rates: Partial<Record<TokenType, SourceRate>> = {};
  for (const [field, keys] of Object.entries(PRICE_KEYS) as [TokenType, readonly SourcePriceKey[]][]) {
    const key = keys.find((k) => prices[k] !== undefined);
    if (key !== undefined) rates[field] = prices[key];
  }
  const requests = prices.requests_kcount;
  if (Object.keys(rates).length === 0) return undefined;
  const entry: Record<string, unknown> = {
    provider,
    model,
    effective,
    unit: 'token',
    source: `${source.name} ${source.version} (${sourceModel.id})`,
  };
  const tiers = new Map<number, Record<string, number>>();
  for (const [field, rate] of Object.entries(rates) as [TokenType, SourceRate][]) {
    if (typeof rate === 'number') {
      entry[field] = rate;
      continue;
    }
    entry[field] = rate.base;
    for (const tier of rate.tiers) {
      const row = tiers.get(tier.start) ?? { above: tier.start };
      row[field] = tier.price;
      tiers.set(tier.start, row);
    }
  }
  if (typeof requests === 'number' && requests > 0) entry.request = requests / 1000;
  if (tiers.size > 0)
    entry.tiers = [...tiers.values()].toSorted((a, b) => a.above! - b.above!) as unknown as PriceTier[];
  return entry as unknown as PriceEntry;
}
