export { startLoopbackServer } from './server.ts';
export type { LoopbackServer, RouteHandler } from './server.ts';
export {
  LOOPBACK_TLS_CERT, bytesPerSecondOf, faultRates, logNormalMs, realistic, secondsOfAudio,
  startCartesiaSim, startDeepgramSim, startElevenLabsSim, startOpenAIAudioSim, wavFile,
} from './speech/index.ts';
export type { DeepgramSimOptions, Millis, SimRequestInfo, SpeechFault, SpeechSim, SpeechSimOptions } from './speech/index.ts';
