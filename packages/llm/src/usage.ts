import type { TokenUsage } from '@agentmeter/core';

/*
 * Provider usage objects to agentmeter's token types. Everywhere: `input` is input billed at the
 * full price (cached reads excluded), `cached_input` the prompt-cache reads, `output` every
 * generated token (reasoning included, as billed), `reasoning` the part of `output` spent thinking.
 */

type Loose = Record<string, unknown> | null | undefined;

export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function object(value: unknown): Loose {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** Usage from totals: `input` is the total less cache reads. */
export function usageOf(input: number | undefined, cached: number | undefined, output: number | undefined, reasoning: number | undefined): TokenUsage | undefined {
  if (input === undefined && output === undefined && cached === undefined) return undefined;
  const usage: TokenUsage = {};
  if (input !== undefined) usage.input = Math.max(0, input - (cached ?? 0));
  if (cached !== undefined) usage.cached_input = cached;
  if (output !== undefined) usage.output = output;
  if (reasoning !== undefined) usage.reasoning = reasoning;
  return usage;
}

/** OpenAI Chat Completions `usage` (prompt tokens include cached ones). */
export function openAIChatUsage(raw: unknown): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined) return undefined;
  return usageOf(
    count(u?.prompt_tokens),
    count(object(u?.prompt_tokens_details)?.cached_tokens),
    count(u?.completion_tokens),
    count(object(u?.completion_tokens_details)?.reasoning_tokens),
  );
}

/** OpenAI Responses API `usage`. */
export function openAIResponsesUsage(raw: unknown): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined) return undefined;
  return usageOf(
    count(u?.input_tokens),
    count(object(u?.input_tokens_details)?.cached_tokens),
    count(u?.output_tokens),
    count(object(u?.output_tokens_details)?.reasoning_tokens),
  );
}

/** OpenAI Embeddings `usage`: input only. */
export function openAIEmbeddingsUsage(raw: unknown): TokenUsage | undefined {
  const input = count(object(raw)?.prompt_tokens);
  return input === undefined ? undefined : { input };
}

/**
 * Anthropic `usage`: input_tokens exclude cache reads and writes; cache writes are counted as
 * input (priced at the input rate, below their 1.25x premium).
 */
export function anthropicUsage(raw: unknown, previous?: TokenUsage): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined) return previous;
  const input = count(u?.input_tokens);
  const written = count(u?.cache_creation_input_tokens);
  const read = count(u?.cache_read_input_tokens);
  const output = count(u?.output_tokens);
  const usage: TokenUsage = { ...previous };
  if (input !== undefined || written !== undefined) usage.input = (input ?? 0) + (written ?? 0);
  if (read !== undefined) usage.cached_input = read;
  if (output !== undefined) usage.output = output;
  return usage;
}

/** Google GenAI `usageMetadata`: thoughts are billed as output. */
export function googleUsage(raw: unknown): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined) return undefined;
  const candidates = count(u?.candidatesTokenCount);
  const thoughts = count(u?.thoughtsTokenCount);
  const output = candidates === undefined && thoughts === undefined ? undefined : (candidates ?? 0) + (thoughts ?? 0);
  return usageOf(count(u?.promptTokenCount), count(u?.cachedContentTokenCount), output, thoughts);
}
