import type { PriceEntry } from './types.ts';

/**
 * Text-to-speech and speech-to-text list prices (pay-as-you-go, USD), as each provider bills:
 * TTS per character (OpenAI's gpt-4o-mini-tts per minute of audio), STT per minute of audio.
 * Streaming rows carry a `-streaming` model suffix: the wrappers look them up for live sessions.
 * Override or extend them with the `prices` option of the speech wrappers; check your contract.
 */
export const SPEECH_PRICES: readonly PriceEntry[] = [
  // ElevenLabs API: USD per 1K characters by model family (Flash/Turbo 0.05, Multilingual/v3 0.10).
  { provider: 'elevenlabs', model: 'eleven_flash', effective: '2025-06-01', unit: 'character', price: 0.05 / 1000 },
  { provider: 'elevenlabs', model: 'eleven_turbo', effective: '2025-06-01', unit: 'character', price: 0.05 / 1000 },
  { provider: 'elevenlabs', model: 'eleven_multilingual', effective: '2025-06-01', unit: 'character', price: 0.1 / 1000 },
  { provider: 'elevenlabs', model: 'eleven_v3', effective: '2025-06-01', unit: 'character', price: 0.1 / 1000 },
  // Cartesia: one credit per character; the Scale plan's overage rate.
  { provider: 'cartesia', model: 'sonic', effective: '2025-06-01', unit: 'character', price: 0.03 / 1000 },
  // OpenAI TTS: tts-1 15 USD and tts-1-hd 30 USD per million characters; gpt-4o-mini-tts ~0.015 USD a minute.
  { provider: 'openai', model: 'tts-1-hd', effective: '2024-01-01', unit: 'character', price: 30 / 1_000_000 },
  { provider: 'openai', model: 'tts-1', effective: '2024-01-01', unit: 'character', price: 15 / 1_000_000 },
  { provider: 'openai', model: 'gpt-4o-mini-tts', effective: '2025-03-20', unit: 'minute', price: 0.015 },
  // OpenAI transcription, per minute of input audio.
  { provider: 'openai', model: 'whisper-1', effective: '2023-03-01', unit: 'minute', price: 0.006 },
  { provider: 'openai', model: 'gpt-4o-transcribe', effective: '2025-03-20', unit: 'minute', price: 0.006 },
  { provider: 'openai', model: 'gpt-4o-mini-transcribe', effective: '2025-03-20', unit: 'minute', price: 0.003 },
  // Deepgram pay-as-you-go, per minute: prerecorded and streaming.
  { provider: 'deepgram', model: 'nova-3', effective: '2025-06-01', unit: 'minute', price: 0.0043 },
  { provider: 'deepgram', model: 'nova-3-streaming', effective: '2025-06-01', unit: 'minute', price: 0.0077 },
  { provider: 'deepgram', model: 'nova-2', effective: '2025-06-01', unit: 'minute', price: 0.0043 },
  { provider: 'deepgram', model: 'nova-2-streaming', effective: '2025-06-01', unit: 'minute', price: 0.0058 },
  { provider: 'deepgram', model: 'flux', effective: '2025-10-01', unit: 'minute', price: 0.0077 },
];
