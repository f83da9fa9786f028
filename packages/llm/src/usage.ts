import type { TokenUsage } from '@agentmeter/core';

/*
 * Provider usage objects to agentmeter's token types. Everywhere: `input` is input billed at the
 * full price (cache reads and writes excluded), `cached_input` the prompt-cache reads, `cache_write`
 * the prompt-cache writes, `output` every generated token (reasoning and audio included, as billed),
 * `reasoning` and `output_audio` parts of `output`, `input_audio` the audio part of `input`.
 */

type Loose = Record<string, unknown> | null | undefined;

export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function object(value: unknown): Loose {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** Token counts as frameworks and providers report them, for `usageOf`. */
export interface Counts {
  /** Every input token, cache reads and writes included. */
  readonly total?: number | undefined;
  readonly read?: number | undefined;
  readonly written?: number | undefined;
  readonly inputAudio?: number | undefined;
  readonly output?: number | undefined;
  readonly reasoning?: number | undefined;
  readonly outputAudio?: number | undefined;
}

/** Usage from counts: `input` is the total less cache reads and writes. */
export function usageOf(c: Counts): TokenUsage | undefined {
  if (c.total === undefined && c.output === undefined && c.read === undefined && c.written === undefined)
    return undefined;
  const usage: TokenUsage = {};
  if (c.total !== undefined) usage.input = Math.max(0, c.total - (c.read ?? 0) - (c.written ?? 0));
  if (c.read !== undefined) usage.cached_input = c.read;
  if (c.written !== undefined) usage.cache_write = c.written;
  if (c.inputAudio !== undefined) usage.input_audio = c.inputAudio;
  if (c.output !== undefined) usage.output = c.output;
  if (c.reasoning !== undefined) usage.reasoning = c.reasoning;
  if (c.outputAudio !== undefined) usage.output_audio = c.outputAudio;
  return usage;
}

/** Where a usage of the `input_tokens` / `output_tokens` shape keeps each detail in its `*_token_details` objects. */
export interface DetailKeys {
  readonly read?: string;
  readonly written?: string;
  readonly inputAudio?: string;
  readonly reasoning?: string;
  readonly outputAudio?: string;
}

/** A usage of the `input_tokens` / `output_tokens` shape with `input_token_details` and `output_token_details`. */
export function detailedUsage(raw: unknown, keys: DetailKeys): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined || u === null) return undefined;
  const inputs = object(u.input_token_details);
  const outputs = object(u.output_token_details);
  const detail = (details: Loose, key: string | undefined): number | undefined =>
    key === undefined ? undefined : count(details?.[key]);
  return usageOf({
    total: count(u.input_tokens),
    read: detail(inputs, keys.read),
    written: detail(inputs, keys.written),
    inputAudio: detail(inputs, keys.inputAudio),
    output: count(u.output_tokens),
    reasoning: detail(outputs, keys.reasoning),
    outputAudio: detail(outputs, keys.outputAudio),
  });
}

/** OpenAI Chat Completions `usage` (prompt tokens include cached ones). */
export function openAIChatUsage(raw: unknown): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined) return undefined;
  const prompt = object(u?.prompt_tokens_details);
  const completion = object(u?.completion_tokens_details);
  return usageOf({
    total: count(u?.prompt_tokens),
    read: count(prompt?.cached_tokens),
    written: count(prompt?.cache_write_tokens),
    inputAudio: count(prompt?.audio_tokens),
    output: count(u?.completion_tokens),
    reasoning: count(completion?.reasoning_tokens),
    outputAudio: count(completion?.audio_tokens),
  });
}

/** OpenAI Responses API `usage`. */
export function openAIResponsesUsage(raw: unknown): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined) return undefined;
  const input = object(u?.input_tokens_details);
  return usageOf({
    total: count(u?.input_tokens),
    read: count(input?.cached_tokens),
    written: count(input?.cache_write_tokens),
    output: count(u?.output_tokens),
    reasoning: count(object(u?.output_tokens_details)?.reasoning_tokens),
  });
}

/** OpenAI Embeddings `usage`: input only. */
export function openAIEmbeddingsUsage(raw: unknown): TokenUsage | undefined {
  const input = count(object(raw)?.prompt_tokens);
  return input === undefined ? undefined : { input };
}

/**
 * Anthropic `usage`: input_tokens exclude cache reads and writes. Streams report it in parts
 * (message_start, then message_delta), so fields absent from a later part keep earlier values.
 */
export function anthropicUsage(raw: unknown, previous?: TokenUsage): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined) return previous;
  const input = count(u?.input_tokens);
  const written = count(u?.cache_creation_input_tokens);
  const read = count(u?.cache_read_input_tokens);
  const output = count(u?.output_tokens);
  const thinking = count(object(u?.output_tokens_details)?.thinking_tokens);
  const usage: TokenUsage = { ...previous };
  if (input !== undefined) usage.input = input;
  if (written !== undefined) usage.cache_write = written;
  if (read !== undefined) usage.cached_input = read;
  if (output !== undefined) usage.output = output;
  if (thinking !== undefined) usage.reasoning = thinking;
  return usage;
}

/** The token count of one modality in a Gemini `*TokensDetails` list. */
export function modality(details: unknown, name: string): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const item of details) {
    const entry = object(item);
    if (entry?.modality === name) return count(entry.tokenCount);
  }
  return undefined;
}

/** Google GenAI `usageMetadata`: prompt tokens include cached ones; thoughts are billed as output. */
export function googleUsage(raw: unknown): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined) return undefined;
  const candidates = count(u?.candidatesTokenCount);
  const thoughts = count(u?.thoughtsTokenCount);
  const output = candidates === undefined && thoughts === undefined ? undefined : (candidates ?? 0) + (thoughts ?? 0);
  const promptAudio = modality(u?.promptTokensDetails, 'AUDIO');
  const cachedAudio = modality(u?.cacheTokensDetails, 'AUDIO') ?? 0;
  return usageOf({
    total: count(u?.promptTokenCount),
    read: count(u?.cachedContentTokenCount),
    inputAudio: promptAudio === undefined ? undefined : Math.max(0, promptAudio - cachedAudio),
    output,
    reasoning: thoughts,
    outputAudio: modality(u?.candidatesTokensDetails, 'AUDIO'),
  });
}
