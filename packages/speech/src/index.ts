/**
 * Wrappers for ElevenLabs, Cartesia, OpenAI audio and Deepgram, generic speech helpers and voice turns.
 *
 * @packageDocumentation
 * @module @agentmeter/speech
 */
import { guardCreation } from '@agentmeter/core/internal';
import { instrumentCartesia as rawInstrumentCartesia } from './cartesia.ts';
import { instrumentDeepgram as rawInstrumentDeepgram } from './deepgram.ts';
import { instrumentElevenLabs as rawInstrumentElevenLabs } from './elevenlabs.ts';
import { instrumentOpenAIAudio as rawInstrumentOpenAIAudio } from './openai-audio.ts';
import { createSpeechTracker as rawCreateSpeechTracker } from './generic.ts';
import { createVoiceTurns as rawCreateVoiceTurns } from './turns.ts';
export { activeTurn } from './turn-context.ts';

export type {
  SpeechTracker, SynthesisAttributes, SynthesisCall, TranscriptionAttributes, TranscriptionCall,
} from './generic.ts';
export type { SpeechInstrumentOptions } from './options.ts';
export type { VoiceTurn, VoiceTurns, VoiceTurnsOptions } from './turns.ts';
export type { TurnMarks } from './turn-context.ts';

/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentCartesia: typeof rawInstrumentCartesia = guardCreation('instrumentCartesia', rawInstrumentCartesia);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentDeepgram: typeof rawInstrumentDeepgram = guardCreation('instrumentDeepgram', rawInstrumentDeepgram);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentElevenLabs: typeof rawInstrumentElevenLabs = guardCreation('instrumentElevenLabs', rawInstrumentElevenLabs);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentOpenAIAudio: typeof rawInstrumentOpenAIAudio = guardCreation('instrumentOpenAIAudio', rawInstrumentOpenAIAudio);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const createSpeechTracker: typeof rawCreateSpeechTracker = guardCreation('createSpeechTracker', rawCreateSpeechTracker);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const createVoiceTurns: typeof rawCreateVoiceTurns = guardCreation('createVoiceTurns', rawCreateVoiceTurns);
