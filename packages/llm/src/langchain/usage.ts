import type { TokenUsage } from '@agentmeter/core';
import { count, object, usageOf } from '../usage.ts';

/**
 * LangChain's `usage_metadata` of an AI message (`input_tokens` counts cache reads and writes,
 * `output_tokens` reasoning) to agentmeter's token types.
 */
export function langChainUsage(raw: unknown): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined || u === null) return undefined;
  return usageOf(
    count(u.input_tokens),
    count(object(u.input_token_details)?.cache_read),
    count(u.output_tokens),
    count(object(u.output_token_details)?.reasoning),
  );
}

/** The older `llmOutput.tokenUsage` (`promptTokens`, `completionTokens`) of text LLMs and some chat models. */
export function langChainLlmOutputUsage(raw: unknown): TokenUsage | undefined {
  const u = object(object(raw)?.tokenUsage);
  if (u === undefined || u === null) return undefined;
  return usageOf(count(u.promptTokens), undefined, count(u.completionTokens), undefined);
}
