/*
 * The shape of the LLM price data agentmeter bundles, generated from @pydantic/genai-prices
 * (scripts/generate-llm-prices.ts). Field names are the source's own, so the data reads like it.
 */

/** How the source matches a model id (case-insensitive, except `regex`). */
export type ModelMatch =
  | { readonly equals: string }
  | { readonly starts_with: string }
  | { readonly ends_with: string }
  | { readonly contains: string }
  | { readonly regex: string }
  | { readonly or: readonly ModelMatch[] }
  | { readonly and: readonly ModelMatch[] };

/** The source's price keys that agentmeter's token types are billed by (USD per million tokens; requests per thousand). */
export const SOURCE_PRICE_KEYS = [
  'input_mtok',
  'cache_read_mtok',
  'cache_write_mtok',
  'input_audio_mtok',
  'output_mtok',
  'output_reasoning_mtok',
  'output_audio_mtok',
  'requests_kcount',
] as const;
export type SourcePriceKey = (typeof SOURCE_PRICE_KEYS)[number];

/** A flat price, or one that rises once a call's total input tokens pass a threshold (`start`, exclusive). */
export type SourceRate =
  number | { readonly base: number; readonly tiers: readonly { readonly start: number; readonly price: number }[] };
export type SourcePrices = { readonly [K in SourcePriceKey]?: SourceRate };

export type SourceConstraint =
  | { readonly type: 'start_date'; readonly start_date: string }
  | { readonly type: 'time_of_date'; readonly start_time: string; readonly end_time: string };

export interface SourceModel {
  readonly id: string;
  readonly match: ModelMatch;
  /** One price set, or several: the last whose constraint holds wins, else the first. */
  readonly prices: SourcePrices | readonly { readonly constraint?: SourceConstraint; readonly prices: SourcePrices }[];
}

export interface SourceProvider {
  readonly id: string;
  /** Providers whose models this one also serves at their prices (e.g. Azure serves OpenAI's). */
  readonly fallback_model_providers?: readonly string[];
  readonly models: readonly SourceModel[];
}

/** The bundled price data and where it came from. */
export interface PriceSource {
  readonly name: string;
  readonly version: string;
  /** The day that version was published on the npm registry (YYYY-MM-DD). */
  readonly published: string;
  readonly providers: readonly SourceProvider[];
}
