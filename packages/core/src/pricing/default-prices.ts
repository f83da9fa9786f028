import { LLM_PRICES } from './llm-prices.ts';
import type { PriceEntry } from './types.ts';

/** The bundled table: every provider's rows (LLM here; speech rows join this list). */
export const DEFAULT_PRICES: readonly PriceEntry[] = [...LLM_PRICES];
