export { startCartesiaSim } from './cartesia.ts';
export { startDeepgramSim } from './deepgram.ts';
export { startElevenLabsSim } from './elevenlabs.ts';
export { startOpenAIAudioSim } from './openai-audio.ts';
export { faultRates, logNormalMs, realistic, seededRandom } from './behavior.ts';
export { bytesPerSecondOf, secondsOfAudio, wavFile } from './audio.ts';
export { LOOPBACK_TLS_CERT } from './tls.ts';
export type { Millis, SimRequestInfo, SpeechFault, SpeechSimOptions } from './behavior.ts';
export type { SpeechSim } from './sim-server.ts';
