export { startLoopbackServer } from './server.ts';
export type { LoopbackServer, RouteHandler } from './server.ts';
export { createLlmSimulator, startLlmSimulator } from './llm/simulator.ts';
export type {
  LlmProviderName,
  LlmSimulator,
  LlmSimulatorOptions,
  LlmSimulatorServer,
  RequestRecord,
  SimModel,
} from './llm/simulator.ts';
export { parseFault, sampleDelay } from './llm/faults.ts';
export { seededRandom } from './random.ts';
export type { Delay, FaultRule, FaultSpec, LatencyOptions, ParsedFault } from './llm/faults.ts';
export type { SimUsage } from './llm/respond.ts';
export { realisticLlmOptions } from './llm/realistic.ts';
export {
  LOOPBACK_TLS_CERT,
  bytesPerSecondOf,
  faultRates,
  logNormalMs,
  realisticSpeechOptions,
  secondsOfAudio,
  startCartesiaSim,
  startDeepgramSim,
  startElevenLabsSim,
  startOpenAIAudioSim,
  wavFile,
} from './speech/index.ts';
export type {
  DeepgramSimOptions,
  Millis,
  SimRequestInfo,
  SpeechFault,
  SpeechSim,
  SpeechSimOptions,
} from './speech/index.ts';
export { CONFORMANCE_TABLE, conformanceRows, refusedPort, startFaultServer } from './conformance.ts';
export type { ConformanceFailure, DrivenRow, FaultServer, NotApplicable, NotApplicableRow } from './conformance.ts';
export { startOpenAIRealtimeSim } from './realtime/openai-realtime.ts';
export type { OpenAIRealtimeSim, OpenAIRealtimeSimOptions, RealtimeSimUsage } from './realtime/openai-realtime.ts';
export { GEMINI_LIVE_BAD_KEY, startGeminiLiveSim } from './realtime/gemini-live.ts';
export type {
  GeminiLiveSim,
  GeminiLiveSimClose,
  GeminiLiveSimOptions,
  GeminiLiveSimUsage,
} from './realtime/gemini-live.ts';
