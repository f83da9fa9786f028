import { claimClient, rewrapped } from '@agentmeter/core/internal';
import { wrapEmbeddingModel, wrapLanguageModel } from 'ai';
import { agentmeterEmbeddingMiddleware, agentmeterMiddleware, type AiSdkInstrumentOptions } from './middleware.ts';

type LanguageModelIn = Parameters<typeof wrapLanguageModel>[0]['model'];
type EmbeddingModelIn = Parameters<typeof wrapEmbeddingModel>[0]['model'];

/**
 * `wrapLanguageModel` with agentmeter's middleware: the model, recorded. A model this function
 * returned is given back as it is (wrapping twice changes nothing a scrape sees).
 */
export function instrumentLanguageModel(
  model: LanguageModelIn,
  options: AiSdkInstrumentOptions,
): ReturnType<typeof wrapLanguageModel> {
  const middleware = agentmeterMiddleware(options);
  if (rewrapped(model, 'instrumentLanguageModel', options)) return model as ReturnType<typeof wrapLanguageModel>;
  const wrapped = wrapLanguageModel({ model, middleware });
  claimClient(wrapped, 'instrumentLanguageModel', options);
  return wrapped;
}

/** `wrapEmbeddingModel` with agentmeter's embedding middleware (once per model, as above). */
export function instrumentEmbeddingModel(
  model: EmbeddingModelIn,
  options: AiSdkInstrumentOptions,
): ReturnType<typeof wrapEmbeddingModel> {
  const middleware = agentmeterEmbeddingMiddleware(options);
  if (rewrapped(model, 'instrumentEmbeddingModel', options)) return model as ReturnType<typeof wrapEmbeddingModel>;
  const wrapped = wrapEmbeddingModel({ model, middleware });
  claimClient(wrapped, 'instrumentEmbeddingModel', options);
  return wrapped;
}

export { agentmeterEmbeddingMiddleware, agentmeterMiddleware } from './middleware.ts';
export { instrumentAiTools } from './tools.ts';
export { aiSdkEmbeddingUsage, aiSdkUsage } from './usage.ts';

export type { AiSdkInstrumentOptions } from './middleware.ts';
export type { AiToolsInstrumentOptions } from './tools.ts';
