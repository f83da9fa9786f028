import { SPEECH_PRICES } from './speech-prices.ts';
import type { PriceEntry } from './types.ts';

/**
 * The bundled rows: speech prices (per character, second or minute). LLM prices are not rows: they
 * come from the bundled @pydantic/genai-prices data (LLM_PRICE_SOURCE), consulted after the rows.
 */
export const DEFAULT_PRICES: readonly PriceEntry[] = SPEECH_PRICES;
