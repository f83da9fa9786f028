import { TOKEN_TYPES, type PriceEntry, type TokenType } from './types.ts';

/** What a call used, in the units providers bill by. Token counts are plain counts, not millions. */
export interface UsageAmounts {
  /** Input tokens billed at the full input price (cache reads and writes not included). */
  readonly input?: number;
  /** Output tokens, reasoning and audio included. */
  readonly output?: number;
  /** Input tokens read from the provider's prompt cache. */
  readonly cached_input?: number;
  /** Input tokens written to the provider's prompt cache. */
  readonly cache_write?: number;
  /** The audio part of `input`. */
  readonly input_audio?: number;
  /** The part of `output` spent reasoning (thinking). */
  readonly reasoning?: number;
  /** The audio part of `output`. */
  readonly output_audio?: number;
  readonly characters?: number;
  readonly seconds?: number;
  readonly minutes?: number;
  readonly requests?: number;
}

/**
 * The parts a token row's cost is split into, in the order `tokenCosts` fills them: each token
 * type's own share (`output` without its reasoning and audio parts), then the per-call fee.
 */
export type CostType = TokenType | 'request';
export const COST_TYPES: readonly CostType[] = [...TOKEN_TYPES, 'request'];

const PER_MILLION = 1_000_000;
const FALLBACK: Readonly<Record<TokenType, TokenType | undefined>> = {
  input: undefined,
  output: undefined,
  cached_input: 'input',
  cache_write: 'input',
  input_audio: 'input',
  reasoning: 'output',
  output_audio: 'output',
};

/** One band of a compiled row: from `above` total input tokens (exclusive), each token type's rate. */
interface Band {
  readonly above: number;
  readonly rates: readonly number[];
}
/** A token row ready for the record path: bands from the highest threshold down. */
interface CompiledRow {
  readonly bands: readonly Band[];
  readonly request: number;
}
const compiled = new WeakMap<PriceEntry, CompiledRow>();
/** The last row compiled or found: a series prices call after call with the same row. */
let lastEntry: PriceEntry | undefined;
let lastRow: CompiledRow | undefined;

function ratesAt(entry: PriceEntry, total: number): number[] {
  const crossed = (entry.tiers ?? []).filter((tier) => total > tier.above).toSorted((a, b) => b.above - a.above);
  const rate = (field: TokenType): number => {
    for (const tier of crossed) if (tier[field] !== undefined) return tier[field];
    if (entry[field] !== undefined) return entry[field];
    const fallback = FALLBACK[field];
    return fallback === undefined ? 0 : rate(fallback);
  };
  return TOKEN_TYPES.map(rate);
}

function compile(entry: PriceEntry): CompiledRow {
  if (entry === lastEntry) return lastRow!;
  let row = compiled.get(entry);
  if (row !== undefined) {
    lastEntry = entry;
    lastRow = row;
    return row;
  }
  const thresholds = [...new Set((entry.tiers ?? []).map((tier) => tier.above))].toSorted((a, b) => b - a);
  // A band per threshold, then the base band for everything at or below the lowest.
  const bands = [
    ...thresholds.map((above) => ({ above, rates: ratesAt(entry, above + 1) })),
    { above: Number.NEGATIVE_INFINITY, rates: ratesAt(entry, 0) },
  ];
  row = { bands, request: entry.request ?? 0 };
  compiled.set(entry, row);
  lastEntry = entry;
  lastRow = row;
  return row;
}

function amount(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Fills `out` (indexed like COST_TYPES) with the USD cost of each part of a token row's usage and
 * returns the total, or undefined when the usage has no token count. Allocates nothing per call.
 */
export function tokenCosts(entry: PriceEntry, usage: UsageAmounts, out: Float64Array): number | undefined {
  if (
    usage.input === undefined &&
    usage.output === undefined &&
    usage.cached_input === undefined &&
    usage.cache_write === undefined
  )
    return undefined;
  const row = compile(entry);
  const input = amount(usage.input);
  const cached = amount(usage.cached_input);
  const written = amount(usage.cache_write);
  const output = amount(usage.output);
  const total = input + cached + written;
  const bands = row.bands;
  let b = 0;
  while (!(total > bands[b]!.above)) b++;
  const r = bands[b]!.rates;
  // Parts never exceed their whole: bad counts from a provider cannot make a negative cost.
  const inputAudio = Math.min(amount(usage.input_audio), input);
  const reasoning = Math.min(amount(usage.reasoning), output);
  const outputAudio = Math.min(amount(usage.output_audio), output - reasoning);
  out[0] = ((input - inputAudio) * r[0]!) / PER_MILLION;
  out[1] = (cached * r[1]!) / PER_MILLION;
  out[2] = (written * r[2]!) / PER_MILLION;
  out[3] = (inputAudio * r[3]!) / PER_MILLION;
  out[4] = ((output - reasoning - outputAudio) * r[4]!) / PER_MILLION;
  out[5] = (reasoning * r[5]!) / PER_MILLION;
  out[6] = (outputAudio * r[6]!) / PER_MILLION;
  out[7] = row.request;
  return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}

const scratch = new Float64Array(COST_TYPES.length);

/** The cost of `usage` under one row, or undefined when the usage has nothing in the row's unit. */
export function priceUsage(entry: PriceEntry, usage: UsageAmounts): number | undefined {
  switch (entry.unit) {
    case 'token':
      return tokenCosts(entry, usage, scratch);
    case 'character':
      return usage.characters === undefined ? undefined : amount(usage.characters) * (entry.price ?? 0);
    case 'second':
      if (usage.seconds !== undefined) return amount(usage.seconds) * (entry.price ?? 0);
      return usage.minutes === undefined ? undefined : amount(usage.minutes) * 60 * (entry.price ?? 0);
    case 'minute':
      if (usage.minutes !== undefined) return amount(usage.minutes) * (entry.price ?? 0);
      return usage.seconds === undefined ? undefined : (amount(usage.seconds) / 60) * (entry.price ?? 0);
    case 'request':
      return usage.requests === undefined ? undefined : amount(usage.requests) * (entry.price ?? 0);
  }
}
