import type { TokenUsage } from '@agentmeter/core';
import { count, object, usageOf } from '../usage.ts';

/**
 * The AI SDK's usage to agentmeter's token types. Language models report
 * `{ inputTokens: { total, noCache, cacheRead, cacheWrite }, outputTokens: { total, text, reasoning } }`
 * (specification v3 and v4); `input` is the total less cache reads (cache writes are billed as
 * input, as in `anthropicUsage`), `output` includes reasoning. The flat v2 shape
 * (`inputTokens`, `cachedInputTokens`, `reasoningTokens` as numbers) is read too.
 */
export function aiSdkUsage(raw: unknown): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined || u === null) return undefined;
  const inputs = object(u.inputTokens) ?? undefined;
  const outputs = object(u.outputTokens) ?? undefined;
  const cached = inputs === undefined ? count(u.cachedInputTokens) : count(inputs.cacheRead);
  const total = inputs === undefined ? count(u.inputTokens) : (count(inputs.total) ?? sum(count(inputs.noCache), cached, count(inputs.cacheWrite)));
  const output = outputs === undefined ? count(u.outputTokens) : (count(outputs.total) ?? sum(count(outputs.text), count(outputs.reasoning)));
  const reasoning = outputs === undefined ? count(u.reasoningTokens) : count(outputs.reasoning);
  return usageOf(total, cached, output, reasoning);
}

function sum(...parts: (number | undefined)[]): number | undefined {
  return parts.every((part) => part === undefined) ? undefined : parts.reduce<number>((total, part) => total + (part ?? 0), 0);
}

/** An embedding model's usage: `{ tokens }`, input only. */
export function aiSdkEmbeddingUsage(raw: unknown): TokenUsage | undefined {
  const tokens = count(object(raw)?.tokens);
  return tokens === undefined ? undefined : { input: tokens };
}
