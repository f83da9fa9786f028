import type { TokenUsage } from '@agentmeter/core';
import { count, object, usageOf } from '../usage.ts';

/**
 * The AI SDK's usage to agentmeter's token types. Language models report
 * `{ inputTokens: { total, noCache, cacheRead, cacheWrite }, outputTokens: { total, text, reasoning } }`
 * (specification v3 and v4): cache reads are `cached_input`, cache writes `cache_write`, `input` the
 * rest; `output` includes reasoning. The flat v2 shape (`inputTokens`, `cachedInputTokens`,
 * `reasoningTokens` as numbers) is read too.
 */
export function aiSdkUsage(raw: unknown): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined || u === null) return undefined;
  const inputs = object(u.inputTokens) ?? undefined;
  const outputs = object(u.outputTokens) ?? undefined;
  if (inputs === undefined && outputs === undefined) {
    return usageOf({
      total: count(u.inputTokens),
      read: count(u.cachedInputTokens),
      output: count(u.outputTokens),
      reasoning: count(u.reasoningTokens),
    });
  }
  const read = count(inputs?.cacheRead);
  const written = count(inputs?.cacheWrite);
  return usageOf({
    total: count(inputs?.total) ?? sum(count(inputs?.noCache), read, written),
    read,
    written,
    output: count(outputs?.total) ?? sum(count(outputs?.text), count(outputs?.reasoning)),
    reasoning: count(outputs?.reasoning),
  });
}

function sum(...parts: (number | undefined)[]): number | undefined {
  return parts.every((part) => part === undefined)
    ? undefined
    : parts.reduce<number>((total, part) => total + (part ?? 0), 0);
}

/** An embedding model's usage: `{ tokens }`, input only. */
export function aiSdkEmbeddingUsage(raw: unknown): TokenUsage | undefined {
  const tokens = count(object(raw)?.tokens);
  return tokens === undefined ? undefined : { input: tokens };
}
