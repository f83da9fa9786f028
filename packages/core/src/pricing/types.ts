/** What a provider bills by. Token prices are per million tokens; the others per one unit. */
export type BillingUnit = 'token' | 'character' | 'second' | 'minute' | 'request';

/**
 * The token types a call's usage is split into, each with its own price (USD per million tokens).
 * `input` excludes cache reads (`cached_input`) and writes (`cache_write`); `input_audio` is the
 * audio part of `input`; `reasoning` and `output_audio` are parts of `output`.
 */
export const TOKEN_TYPES = [
  'input',
  'cached_input',
  'cache_write',
  'input_audio',
  'output',
  'reasoning',
  'output_audio',
] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** USD per million tokens of each type. An absent rate falls back: cache and audio input to `input`, reasoning and audio output to `output`. */
export type TokenRates = { readonly [K in TokenType]?: number };

/** Rates that apply once a call's total input tokens (uncached, cache reads and writes) exceed `above`. */
export interface PriceTier extends TokenRates {
  readonly above: number;
}

/** One row of the pricing table: a provider's model, its price, and the date it took effect. */
export interface PriceEntry extends TokenRates {
  readonly provider: string;
  readonly model: string;
  /** ISO date (YYYY-MM-DD) from which this price applies. */
  readonly effective: string;
  readonly unit: BillingUnit;
  /** USD per character, second, minute or request (the other units). */
  readonly price?: number;
  /** A `token` row's fee per call in USD, on top of its tokens (a few providers charge one). */
  readonly request?: number;
  /** A `token` row's long-context tiers, each replacing the rates it names. */
  readonly tiers?: readonly PriceTier[];
  /** Where the price comes from: a price page's URL, or the data source and its version. */
  readonly source?: string;
}
