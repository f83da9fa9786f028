import type { PriceEntry } from './types.ts';

/** The date the bundled LLM prices were last checked against the providers' public price pages. */
export const LLM_PRICES_VERSION = '2025-10-15';

function tokens(provider: string, model: string, effective: string, input: number, output: number, cached_input?: number): PriceEntry {
  return cached_input === undefined
    ? { provider, model, effective, unit: 'token', input, output }
    : { provider, model, effective, unit: 'token', input, output, cached_input };
}

/**
 * USD per million tokens, standard (non-batch) tier, for prompts under the providers' long-context
 * thresholds. Rows are exact model ids; an id missing here gets no cost, never a neighbour's price.
 */
export const LLM_PRICES: readonly PriceEntry[] = [
  // OpenAI (https://openai.com/api/pricing)
  tokens('openai', 'gpt-5', '2025-08-07', 1.25, 10, 0.125),
  tokens('openai', 'gpt-5-2025-08-07', '2025-08-07', 1.25, 10, 0.125),
  tokens('openai', 'gpt-5-mini', '2025-08-07', 0.25, 2, 0.025),
  tokens('openai', 'gpt-5-mini-2025-08-07', '2025-08-07', 0.25, 2, 0.025),
  tokens('openai', 'gpt-5-nano', '2025-08-07', 0.05, 0.4, 0.005),
  tokens('openai', 'gpt-5-nano-2025-08-07', '2025-08-07', 0.05, 0.4, 0.005),
  tokens('openai', 'gpt-4.1', '2025-04-14', 2, 8, 0.5),
  tokens('openai', 'gpt-4.1-2025-04-14', '2025-04-14', 2, 8, 0.5),
  tokens('openai', 'gpt-4.1-mini', '2025-04-14', 0.4, 1.6, 0.1),
  tokens('openai', 'gpt-4.1-mini-2025-04-14', '2025-04-14', 0.4, 1.6, 0.1),
  tokens('openai', 'gpt-4.1-nano', '2025-04-14', 0.1, 0.4, 0.025),
  tokens('openai', 'gpt-4.1-nano-2025-04-14', '2025-04-14', 0.1, 0.4, 0.025),
  tokens('openai', 'gpt-4o', '2024-05-13', 5, 15),
  tokens('openai', 'gpt-4o', '2024-10-02', 2.5, 10, 1.25),
  tokens('openai', 'gpt-4o-2024-05-13', '2024-05-13', 5, 15),
  tokens('openai', 'gpt-4o-2024-08-06', '2024-08-06', 2.5, 10, 1.25),
  tokens('openai', 'gpt-4o-2024-11-20', '2024-11-20', 2.5, 10, 1.25),
  tokens('openai', 'gpt-4o-mini', '2024-07-18', 0.15, 0.6, 0.075),
  tokens('openai', 'gpt-4o-mini-2024-07-18', '2024-07-18', 0.15, 0.6, 0.075),
  tokens('openai', 'o1', '2024-12-17', 15, 60, 7.5),
  tokens('openai', 'o1-2024-12-17', '2024-12-17', 15, 60, 7.5),
  tokens('openai', 'o3', '2025-04-16', 10, 40, 2.5),
  tokens('openai', 'o3', '2025-06-10', 2, 8, 0.5),
  tokens('openai', 'o3-2025-04-16', '2025-04-16', 10, 40, 2.5),
  tokens('openai', 'o3-2025-04-16', '2025-06-10', 2, 8, 0.5),
  tokens('openai', 'o3-mini', '2025-01-31', 1.1, 4.4, 0.55),
  tokens('openai', 'o3-mini-2025-01-31', '2025-01-31', 1.1, 4.4, 0.55),
  tokens('openai', 'o4-mini', '2025-04-16', 1.1, 4.4, 0.275),
  tokens('openai', 'o4-mini-2025-04-16', '2025-04-16', 1.1, 4.4, 0.275),
  tokens('openai', 'gpt-4-turbo', '2024-04-09', 10, 30),
  tokens('openai', 'gpt-3.5-turbo', '2024-01-25', 0.5, 1.5),
  tokens('openai', 'text-embedding-3-small', '2024-01-25', 0.02, 0),
  tokens('openai', 'text-embedding-3-large', '2024-01-25', 0.13, 0),
  tokens('openai', 'text-embedding-ada-002', '2022-12-15', 0.1, 0),

  // Anthropic (https://www.anthropic.com/pricing); cached_input is the cache-read price.
  tokens('anthropic', 'claude-sonnet-4-5', '2025-09-29', 3, 15, 0.3),
  tokens('anthropic', 'claude-sonnet-4-5-20250929', '2025-09-29', 3, 15, 0.3),
  tokens('anthropic', 'claude-haiku-4-5', '2025-10-15', 1, 5, 0.1),
  tokens('anthropic', 'claude-haiku-4-5-20251001', '2025-10-15', 1, 5, 0.1),
  tokens('anthropic', 'claude-opus-4-1', '2025-08-05', 15, 75, 1.5),
  tokens('anthropic', 'claude-opus-4-1-20250805', '2025-08-05', 15, 75, 1.5),
  tokens('anthropic', 'claude-opus-4-0', '2025-05-22', 15, 75, 1.5),
  tokens('anthropic', 'claude-opus-4-20250514', '2025-05-22', 15, 75, 1.5),
  tokens('anthropic', 'claude-sonnet-4-0', '2025-05-22', 3, 15, 0.3),
  tokens('anthropic', 'claude-sonnet-4-20250514', '2025-05-22', 3, 15, 0.3),
  tokens('anthropic', 'claude-3-7-sonnet-latest', '2025-02-24', 3, 15, 0.3),
  tokens('anthropic', 'claude-3-7-sonnet-20250219', '2025-02-24', 3, 15, 0.3),
  tokens('anthropic', 'claude-3-5-sonnet-latest', '2024-10-22', 3, 15, 0.3),
  tokens('anthropic', 'claude-3-5-sonnet-20241022', '2024-10-22', 3, 15, 0.3),
  tokens('anthropic', 'claude-3-5-sonnet-20240620', '2024-06-20', 3, 15, 0.3),
  tokens('anthropic', 'claude-3-5-haiku-latest', '2024-11-04', 0.8, 4, 0.08),
  tokens('anthropic', 'claude-3-5-haiku-20241022', '2024-11-04', 0.8, 4, 0.08),
  tokens('anthropic', 'claude-3-opus-20240229', '2024-03-04', 15, 75, 1.5),
  tokens('anthropic', 'claude-3-haiku-20240307', '2024-03-13', 0.25, 1.25, 0.03),

  // Google Gemini API, paid tier, prompts up to the 128k/200k threshold (https://ai.google.dev/pricing)
  tokens('google', 'gemini-2.5-pro', '2025-06-17', 1.25, 10, 0.31),
  tokens('google', 'gemini-2.5-flash', '2025-06-17', 0.3, 2.5, 0.075),
  tokens('google', 'gemini-2.5-flash-lite', '2025-07-22', 0.1, 0.4, 0.025),
  tokens('google', 'gemini-2.0-flash', '2025-02-05', 0.1, 0.4, 0.025),
  tokens('google', 'gemini-2.0-flash-001', '2025-02-05', 0.1, 0.4, 0.025),
  tokens('google', 'gemini-2.0-flash-lite', '2025-02-25', 0.075, 0.3),
  tokens('google', 'gemini-1.5-pro', '2024-10-01', 1.25, 5, 0.3125),
  tokens('google', 'gemini-1.5-flash', '2024-08-12', 0.075, 0.3, 0.01875),
  tokens('google', 'gemini-embedding-001', '2025-07-14', 0.15, 0),

  // OpenAI-compatible providers
  tokens('groq', 'llama-3.3-70b-versatile', '2024-12-06', 0.59, 0.79),
  tokens('groq', 'llama-3.1-8b-instant', '2024-07-23', 0.05, 0.08),
  tokens('mistral', 'mistral-large-latest', '2024-11-18', 2, 6),
  tokens('mistral', 'mistral-small-latest', '2025-03-17', 0.1, 0.3),
  tokens('mistral', 'codestral-latest', '2025-01-13', 0.3, 0.9),
  tokens('together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo', '2024-12-06', 0.88, 0.88),
  tokens('deepseek', 'deepseek-chat', '2025-02-09', 0.27, 1.1, 0.07),
  tokens('deepseek', 'deepseek-reasoner', '2025-02-09', 0.55, 2.19, 0.14),
];
