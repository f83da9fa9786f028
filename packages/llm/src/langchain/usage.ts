import type { TokenUsage } from '@agentmeter/core';
import { count, detailedUsage, object, usageOf } from '../usage.ts';

/**
 * LangChain's `usage_metadata` of an AI message (`input_tokens` counts cache reads and writes and
 * audio, `output_tokens` reasoning and audio) to agentmeter's token types.
 */
export function langChainUsage(raw: unknown): TokenUsage | undefined {
  return detailedUsage(raw, {
    read: 'cache_read',
    written: 'cache_creation',
    inputAudio: 'audio',
    reasoning: 'reasoning',
    outputAudio: 'audio',
  });
}

/** The older `llmOutput.tokenUsage` (`promptTokens`, `completionTokens`) of text LLMs and some chat models. */
export function langChainLlmOutputUsage(raw: unknown): TokenUsage | undefined {
  const u = object(object(raw)?.tokenUsage);
  if (u === undefined || u === null) return undefined;
  return usageOf({ total: count(u.promptTokens), output: count(u.completionTokens) });
}
