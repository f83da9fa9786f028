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
  SpeechTracker,
  SynthesisAttributes,
  SynthesisCall,
  TranscriptionAttributes,
  TranscriptionCall,
} from './generic.ts';
export type { SpeechInstrumentOptions } from './options.ts';
export type { VoiceTurn, VoiceTurns, VoiceTurnsOptions } from './turns.ts';
export type { TurnMarks } from './turn-context.ts';

/**
 * Meters a Cartesia client (`@cartesia/cartesia-js`) and returns the same client:
 * `tts.generate` (bytes: the Response body is metered in place), `tts.generateSSE` (the Stream
 * of chunk events), and `tts.websocket()` (each context of the socket is one call: first audio
 * chunk, `done`, errors and cancels). Audio seconds come from `output_format`.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentCartesia: typeof rawInstrumentCartesia = guardCreation(
  'instrumentCartesia',
  rawInstrumentCartesia,
);
/**
 * Meters a DeepgramClient (`@deepgram/sdk` v5) and returns the same client: prerecorded
 * `listen.v1.media.transcribeFile` / `transcribeUrl` (audio seconds from `metadata.duration`),
 * live `listen.v1.connect()` sockets (see `instrumentDeepgramLive`), and Aura text-to-speech
 * `speak.v1.audio.generate`.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentDeepgram: typeof rawInstrumentDeepgram = guardCreation(
  'instrumentDeepgram',
  rawInstrumentDeepgram,
);
/**
 * Meters `textToSpeech.convert` and `textToSpeech.stream` of an ElevenLabsClient
 * (`@elevenlabs/elevenlabs-js`) and returns the same client. Both still resolve to the audio
 * ReadableStream, now metered: time to first audio at the first chunk, latency at the last,
 * billed characters from the `character-cost` header, audio seconds from `outputFormat`.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentElevenLabs: typeof rawInstrumentElevenLabs = guardCreation(
  'instrumentElevenLabs',
  rawInstrumentElevenLabs,
);
/**
 * Meters an OpenAI client's (`openai`) audio calls and returns the same client:
 * `audio.speech.create` as text-to-speech (the Response body is metered in place: first audio,
 * last byte, characters; audio seconds for `pcm` and `wav`), and `audio.transcriptions.create`
 * and `audio.translations.create` as speech-to-text (whisper-1's duration usage, the streamed
 * events of the gpt-4o transcribe models, or the length of an uploaded WAV file).
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentOpenAIAudio: typeof rawInstrumentOpenAIAudio = guardCreation(
  'instrumentOpenAIAudio',
  rawInstrumentOpenAIAudio,
);
/**
 * Generic TTS and STT helpers for clients without a wrapper (or raw HTTP): the same metrics,
 * cost from the price table, and first-audio marks on the active voice turn.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const createSpeechTracker: typeof rawCreateSpeechTracker = guardCreation(
  'createSpeechTracker',
  rawCreateSpeechTracker,
);
/**
 * Voice-turn metrics for one conversation (one per call or session): turn latency from the end
 * of user speech to the first agent audio, interruptions, and dropped late or duplicate events.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const createVoiceTurns: typeof rawCreateVoiceTurns = guardCreation('createVoiceTurns', rawCreateVoiceTurns);
