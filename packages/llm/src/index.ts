/**
 * Wrappers for the openai, @anthropic-ai/sdk and @google/genai clients, and a generic LLM helper.
 *
 * @packageDocumentation
 * @module @agentmeter/llm
 */
import { guardCreation, neverThrows } from '@agentmeter/core/internal';
import { instrumentOpenAI as rawInstrumentOpenAI } from './openai.ts';
import { instrumentAnthropic as rawInstrumentAnthropic } from './anthropic.ts';
import { instrumentGoogleGenAI as rawInstrumentGoogleGenAI } from './google.ts';
import { instrumentLlmFunction as rawInstrumentLlmFunction } from './generic.ts';
import {
  instrumentOpenAIRealtime as rawInstrumentOpenAIRealtime,
  openAIRealtimeUsage as rawOpenAIRealtimeUsage,
} from './realtime/openai.ts';
import {
  anthropicUsage as rawAnthropicUsage,
  googleUsage as rawGoogleUsage,
  openAIChatUsage as rawOpenAIChatUsage,
  openAIEmbeddingsUsage as rawOpenAIEmbeddingsUsage,
  openAIResponsesUsage as rawOpenAIResponsesUsage,
} from './usage.ts';
import { geminiLiveUsage as rawGeminiLiveUsage } from './realtime/gemini-live-parts.ts';
import { instrumentGeminiLive as rawInstrumentGeminiLive } from './realtime/gemini-live.ts';
export { classifyLlmError } from './classify.ts';
export { providerFromBaseURL } from './providers.ts';
export {
  GEN_AI_CHUNK_BUCKETS,
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_FIRST_CHUNK_BUCKETS,
  GEN_AI_TOKEN_BUCKETS,
} from '@agentmeter/core';

export type { FailurePhase } from './classify.ts';
export type { LlmChunkInfo, LlmFunctionOptions } from './generic.ts';
export type { LlmInstrumentOptions } from './options.ts';

/**
 * Instruments an `openai` client (or AzureOpenAI, or any OpenAI-compatible endpoint through
 * `baseURL`) in place and returns it: chat.completions.create, responses.create and
 * embeddings.create, streamed or not. The client keeps its type and behaviour.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentOpenAI: typeof rawInstrumentOpenAI = guardCreation('instrumentOpenAI', rawInstrumentOpenAI);
/**
 * Instruments an `@anthropic-ai/sdk` client in place and returns it: messages.create, streamed or
 * not, and messages.stream (which runs through messages.create, so its MessageStream, events and
 * finalMessage() are the SDK's own); the same for beta.messages.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentAnthropic: typeof rawInstrumentAnthropic = guardCreation(
  'instrumentAnthropic',
  rawInstrumentAnthropic,
);
/**
 * Instruments a `@google/genai` client (`new GoogleGenAI()`) in place and returns it:
 * models.generateContent and models.generateContentStream (chats use them too). The provider label
 * is `google` for the Gemini API and `google_vertex` for a Vertex AI client (`vertexai: true`).
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentGoogleGenAI: typeof rawInstrumentGoogleGenAI = guardCreation(
  'instrumentGoogleGenAI',
  rawInstrumentGoogleGenAI,
);
/**
 * Instruments any function that calls an LLM (a client this package has no wrapper for, a raw
 * fetch): returns a function with the same signature that records latency, tokens, cost and
 * errors, and for streams time to first token.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentLlmFunction: typeof rawInstrumentLlmFunction = guardCreation(
  'instrumentLlmFunction',
  rawInstrumentLlmFunction,
);
/**
 * Instruments an `openai` realtime client (`OpenAIRealtimeWS` or `OpenAIRealtimeWebSocket`) in place
 * and returns it: the session (count, duration, active), each response as an llm call (operation
 * `realtime`: latency, first audio or text, audio and text tokens, cost, errors), turn latency from
 * the end of user speech to the response's first audio, and interruptions (cancelled or truncated
 * responses). Events and the client's behaviour are unchanged.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentOpenAIRealtime: typeof rawInstrumentOpenAIRealtime = guardCreation(
  'instrumentOpenAIRealtime',
  rawInstrumentOpenAIRealtime,
);
/** Never throws: input it cannot read gives `undefined`. */
export const openAIRealtimeUsage: typeof rawOpenAIRealtimeUsage = neverThrows(rawOpenAIRealtimeUsage, undefined);
/**
 * Anthropic `usage`: input_tokens exclude cache reads and writes. Streams report it in parts
 * (message_start, then message_delta), so fields absent from a later part keep earlier values.
 *
 * Never throws: input it cannot read gives `undefined`.
 */
export const anthropicUsage: typeof rawAnthropicUsage = neverThrows(rawAnthropicUsage, undefined);
/**
 * Google GenAI `usageMetadata`: prompt tokens include cached ones; thoughts are billed as output.
 *
 * Never throws: input it cannot read gives `undefined`.
 */
export const googleUsage: typeof rawGoogleUsage = neverThrows(rawGoogleUsage, undefined);
/**
 * OpenAI Chat Completions `usage` (prompt tokens include cached ones).
 *
 * Never throws: input it cannot read gives `undefined`.
 */
export const openAIChatUsage: typeof rawOpenAIChatUsage = neverThrows(rawOpenAIChatUsage, undefined);
/**
 * OpenAI Embeddings `usage`: input only.
 *
 * Never throws: input it cannot read gives `undefined`.
 */
export const openAIEmbeddingsUsage: typeof rawOpenAIEmbeddingsUsage = neverThrows(rawOpenAIEmbeddingsUsage, undefined);
/**
 * OpenAI Responses API `usage`.
 *
 * Never throws: input it cannot read gives `undefined`.
 */
export const openAIResponsesUsage: typeof rawOpenAIResponsesUsage = neverThrows(rawOpenAIResponsesUsage, undefined);
/**
 * Instruments `@google/genai` Live sessions in place and returns what it was given: pass the
 * client (`new GoogleGenAI()`) or its `live` module. Every session `live.connect()` opens is
 * recorded on the voice families: the session (count, duration, active), each model turn as an llm
 * call (operation `realtime`: latency, first audio or text, audio and text tokens from
 * `usageMetadata`, cost, tool calls, errors from the close code), turn latency from the end of the
 * user's turn to the model's first audio, and interruptions. The session, its messages and the
 * caller's callbacks are unchanged.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentGeminiLive: typeof rawInstrumentGeminiLive = guardCreation(
  'instrumentGeminiLive',
  rawInstrumentGeminiLive,
);
/**
 * A Gemini Live `usageMetadata` (BidiGenerateContent): prompt tokens (cache reads and tool-use
 * prompt tokens included) with their audio part, response tokens with theirs, thoughts billed as
 * output. The Live API names the output `responseTokenCount` where generateContent says `candidatesTokenCount`.
 *
 * Never throws: input it cannot read gives `undefined`.
 */
export const geminiLiveUsage: typeof rawGeminiLiveUsage = neverThrows(rawGeminiLiveUsage, undefined);
