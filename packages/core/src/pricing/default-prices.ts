import { LLM_PRICES } from './llm-prices.ts';
import { SPEECH_PRICES } from './speech-prices.ts';
import type { PriceEntry } from './types.ts';

/** The bundled table: every provider's rows, LLM (per token) and speech (per character, second or minute). */
export const DEFAULT_PRICES: readonly PriceEntry[] = [...LLM_PRICES, ...SPEECH_PRICES];
