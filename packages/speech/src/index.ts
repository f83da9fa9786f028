/**
 * Wrappers for ElevenLabs, Cartesia, OpenAI audio and Deepgram, generic speech helpers and voice turns.
 *
 * @packageDocumentation
 * @module @agentmeter/speech
 */
export { instrumentCartesia } from './cartesia.ts';
export { instrumentDeepgram } from './deepgram.ts';
export { instrumentElevenLabs } from './elevenlabs.ts';
export { instrumentOpenAIAudio } from './openai-audio.ts';
export { createSpeechTracker } from './generic.ts';
export { createVoiceTurns } from './turns.ts';
export { activeTurn } from './turn-context.ts';

export type {
  SpeechTracker, SynthesisAttributes, SynthesisCall, TranscriptionAttributes, TranscriptionCall,
} from './generic.ts';
export type { SpeechInstrumentOptions } from './options.ts';
export type { VoiceTurn, VoiceTurns, VoiceTurnsOptions } from './turns.ts';
export type { TurnMarks } from './turn-context.ts';
