/** What a provider bills by. Token prices are per million tokens; the others per one unit. */
export type BillingUnit = 'token' | 'character' | 'second' | 'minute' | 'request';

/** One row of the pricing table: a provider's model, its price, and the date it took effect. */
export interface PriceEntry {
  readonly provider: string;
  readonly model: string;
  /** ISO date (YYYY-MM-DD) from which this price applies. */
  readonly effective: string;
  readonly unit: BillingUnit;
  /** USD per million input tokens (unit `token`). */
  readonly input?: number;
  /** USD per million output tokens (unit `token`). */
  readonly output?: number;
  /** USD per million cached input tokens (unit `token`); defaults to `input` when absent. */
  readonly cached_input?: number;
  /** USD per character, second, minute or request (the other units). */
  readonly price?: number;
}
