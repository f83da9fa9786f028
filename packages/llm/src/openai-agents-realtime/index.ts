export { instrumentRealtimeSession } from './session.ts';
export { openAIRealtimeUsage } from '../realtime/openai-events.ts';

export type { LlmInstrumentOptions } from '../options.ts';
