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
import { instrumentOpenAIRealtime as rawInstrumentOpenAIRealtime, openAIRealtimeUsage as rawOpenAIRealtimeUsage } from './realtime/openai.ts';
import { anthropicUsage as rawAnthropicUsage, googleUsage as rawGoogleUsage, openAIChatUsage as rawOpenAIChatUsage, openAIEmbeddingsUsage as rawOpenAIEmbeddingsUsage, openAIResponsesUsage as rawOpenAIResponsesUsage } from './usage.ts';
import { geminiLiveUsage as rawGeminiLiveUsage } from './realtime/gemini-live-parts.ts';
import { instrumentGeminiLive as rawInstrumentGeminiLive } from './realtime/gemini-live.ts';
export { classifyLlmError } from './classify.ts';
export { providerFromBaseURL } from './providers.ts';
export { GEN_AI_CHUNK_BUCKETS, GEN_AI_DURATION_BUCKETS, GEN_AI_FIRST_CHUNK_BUCKETS, GEN_AI_TOKEN_BUCKETS } from '@agentmeter/core';

export type { FailurePhase } from './classify.ts';
export type { LlmChunkInfo, LlmFunctionOptions } from './generic.ts';
export type { LlmInstrumentOptions } from './options.ts';

/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentOpenAI: typeof rawInstrumentOpenAI = guardCreation('instrumentOpenAI', rawInstrumentOpenAI);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentAnthropic: typeof rawInstrumentAnthropic = guardCreation('instrumentAnthropic', rawInstrumentAnthropic);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentGoogleGenAI: typeof rawInstrumentGoogleGenAI = guardCreation('instrumentGoogleGenAI', rawInstrumentGoogleGenAI);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentLlmFunction: typeof rawInstrumentLlmFunction = guardCreation('instrumentLlmFunction', rawInstrumentLlmFunction);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentOpenAIRealtime: typeof rawInstrumentOpenAIRealtime = guardCreation('instrumentOpenAIRealtime', rawInstrumentOpenAIRealtime);
/** Never throws: input it cannot read gives `undefined`. */
export const openAIRealtimeUsage: typeof rawOpenAIRealtimeUsage = neverThrows(rawOpenAIRealtimeUsage, undefined);
/** Never throws: input it cannot read gives `undefined`. */
export const anthropicUsage: typeof rawAnthropicUsage = neverThrows(rawAnthropicUsage, undefined);
/** Never throws: input it cannot read gives `undefined`. */
export const googleUsage: typeof rawGoogleUsage = neverThrows(rawGoogleUsage, undefined);
/** Never throws: input it cannot read gives `undefined`. */
export const openAIChatUsage: typeof rawOpenAIChatUsage = neverThrows(rawOpenAIChatUsage, undefined);
/** Never throws: input it cannot read gives `undefined`. */
export const openAIEmbeddingsUsage: typeof rawOpenAIEmbeddingsUsage = neverThrows(rawOpenAIEmbeddingsUsage, undefined);
/** Never throws: input it cannot read gives `undefined`. */
export const openAIResponsesUsage: typeof rawOpenAIResponsesUsage = neverThrows(rawOpenAIResponsesUsage, undefined);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentGeminiLive: typeof rawInstrumentGeminiLive = guardCreation('instrumentGeminiLive', rawInstrumentGeminiLive);
/** Never throws: input it cannot read gives `undefined`. */
export const geminiLiveUsage: typeof rawGeminiLiveUsage = neverThrows(rawGeminiLiveUsage, undefined);
