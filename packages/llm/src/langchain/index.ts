export { AgentmeterCallbackHandler } from './handler.ts';
export { langChainLlmOutputUsage, langChainUsage } from './usage.ts';

export type { LangChainInstrumentOptions } from './handler.ts';
