export { instrumentLiveKitSession } from './session.ts';

export type { LlmInstrumentOptions } from '../options.ts';
