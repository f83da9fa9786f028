/**
 * Wrappers for the openai, @anthropic-ai/sdk and @google/genai clients, and a generic LLM helper.
 *
 * @packageDocumentation
 * @module @agentmeter/llm
 */
export { instrumentOpenAI } from './openai.ts';
export { instrumentAnthropic } from './anthropic.ts';
export { instrumentGoogleGenAI } from './google.ts';
export { instrumentLlmFunction } from './generic.ts';
export { instrumentOpenAIRealtime, openAIRealtimeUsage } from './realtime/openai.ts';
export { geminiLiveUsage } from './realtime/gemini-live-parts.ts';
export { instrumentGeminiLive } from './realtime/gemini-live.ts';
export { classifyLlmError } from './classify.ts';
export { providerFromBaseURL } from './providers.ts';
export { GEN_AI_CHUNK_BUCKETS, GEN_AI_DURATION_BUCKETS, GEN_AI_FIRST_CHUNK_BUCKETS, GEN_AI_TOKEN_BUCKETS } from '@agentmeter/core';
export { anthropicUsage, googleUsage, openAIChatUsage, openAIEmbeddingsUsage, openAIResponsesUsage } from './usage.ts';

export type { FailurePhase } from './classify.ts';
export type { LlmChunkInfo, LlmFunctionOptions } from './generic.ts';
export type { LlmInstrumentOptions } from './options.ts';
