import type { TokenUsage } from '@agentmeter/core';
import { count, object, usageOf } from '../usage.ts';

/**
 * LangChain's `usage_metadata` of an AI message (`input_tokens` counts cache reads and writes and
 * audio, `output_tokens` reasoning and audio) to agentmeter's token types.
 */
export function langChainUsage(raw: unknown): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined || u === null) return undefined;
  const inputs = object(u.input_token_details);
  const outputs = object(u.output_token_details);
  return usageOf({
    total: count(u.input_tokens),
    read: count(inputs?.cache_read),
    written: count(inputs?.cache_creation),
    inputAudio: count(inputs?.audio),
    output: count(u.output_tokens),
    reasoning: count(outputs?.reasoning),
    outputAudio: count(outputs?.audio),
  });
}

/** The older `llmOutput.tokenUsage` (`promptTokens`, `completionTokens`) of text LLMs and some chat models. */
export function langChainLlmOutputUsage(raw: unknown): TokenUsage | undefined {
  const u = object(object(raw)?.tokenUsage);
  if (u === undefined || u === null) return undefined;
  return usageOf({ total: count(u.promptTokens), output: count(u.completionTokens) });
}
