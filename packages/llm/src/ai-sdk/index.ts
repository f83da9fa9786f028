import { wrapEmbeddingModel, wrapLanguageModel } from 'ai';
import { agentmeterEmbeddingMiddleware, agentmeterMiddleware, type AiSdkInstrumentOptions } from './middleware.ts';

type LanguageModelIn = Parameters<typeof wrapLanguageModel>[0]['model'];
type EmbeddingModelIn = Parameters<typeof wrapEmbeddingModel>[0]['model'];

/** `wrapLanguageModel` with agentmeter's middleware: the model, recorded. */
export function instrumentLanguageModel(model: LanguageModelIn, options: AiSdkInstrumentOptions): ReturnType<typeof wrapLanguageModel> {
  return wrapLanguageModel({ model, middleware: agentmeterMiddleware(options) });
}

/** `wrapEmbeddingModel` with agentmeter's embedding middleware. */
export function instrumentEmbeddingModel(model: EmbeddingModelIn, options: AiSdkInstrumentOptions): ReturnType<typeof wrapEmbeddingModel> {
  return wrapEmbeddingModel({ model, middleware: agentmeterEmbeddingMiddleware(options) });
}

export { agentmeterEmbeddingMiddleware, agentmeterMiddleware } from './middleware.ts';
export { instrumentAiTools } from './tools.ts';
export { aiSdkEmbeddingUsage, aiSdkUsage } from './usage.ts';

export type { AiSdkInstrumentOptions } from './middleware.ts';
export type { AiToolsInstrumentOptions } from './tools.ts';
