import type { PriceEntry } from './types.ts';

const per1k = (usd: number): number => usd / 1000;

/** One row per model id (the pricing table matches provider and model exactly), with the page the price is from. */
function rows(
  provider: string,
  models: readonly string[],
  effective: string,
  unit: PriceEntry['unit'],
  price: number,
  source: string,
): PriceEntry[] {
  return models.map((model) => ({ provider, model, effective, unit, price, source }));
}

const ELEVENLABS = 'https://elevenlabs.io/pricing/api';
const CARTESIA = 'https://cartesia.ai/pricing';
const OPENAI = 'https://platform.openai.com/docs/pricing';
const DEEPGRAM = 'https://deepgram.com/pricing';

/**
 * Text-to-speech and speech-to-text list prices (pay-as-you-go, USD), as each provider bills:
 * TTS per character (OpenAI's gpt-4o-mini-tts per minute of audio), STT per minute of audio.
 * Deepgram's live rows carry a `-streaming` model suffix: the wrappers price live sessions with
 * them. Each row names its price page (`source`) and the date the price took effect (`effective`).
 * Override or extend them in the same row format (the `pricing` option, AGENTMETER_PRICING_FILE).
 */
export const SPEECH_PRICES: readonly PriceEntry[] = [
  // ElevenLabs API, per 1,000 characters: Flash and Turbo 0.05 USD, Multilingual and v3 0.10 USD.
  ...rows(
    'elevenlabs',
    ['eleven_flash_v2_5', 'eleven_flash_v2', 'eleven_turbo_v2_5', 'eleven_turbo_v2'],
    '2025-06-01',
    'character',
    per1k(0.05),
    ELEVENLABS,
  ),
  ...rows(
    'elevenlabs',
    ['eleven_multilingual_v2', 'eleven_v3', 'eleven_multilingual_v1', 'eleven_monolingual_v1'],
    '2025-06-01',
    'character',
    per1k(0.1),
    ELEVENLABS,
  ),
  // Cartesia: one credit per character, at the Scale plan's rate.
  ...rows(
    'cartesia',
    ['sonic-3.5', 'sonic-3', 'sonic-2', 'sonic-turbo', 'sonic', 'sonic-latest'],
    '2025-06-01',
    'character',
    per1k(0.03),
    CARTESIA,
  ),
  // OpenAI TTS: tts-1 15 USD and tts-1-hd 30 USD per million characters; gpt-4o-mini-tts about 0.015 USD a minute.
  ...rows('openai', ['tts-1'], '2024-01-01', 'character', 15 / 1_000_000, OPENAI),
  ...rows('openai', ['tts-1-hd'], '2024-01-01', 'character', 30 / 1_000_000, OPENAI),
  ...rows('openai', ['gpt-4o-mini-tts'], '2025-03-20', 'minute', 0.015, OPENAI),
  // OpenAI transcription, per minute of input audio.
  ...rows('openai', ['whisper-1', 'gpt-4o-transcribe'], '2025-03-20', 'minute', 0.006, OPENAI),
  ...rows('openai', ['gpt-4o-mini-transcribe'], '2025-03-20', 'minute', 0.003, OPENAI),
  // Deepgram pay-as-you-go, per minute: prerecorded, then live (streaming).
  ...rows('deepgram', ['nova-3', 'nova-2', 'nova', 'base', 'enhanced'], '2025-06-01', 'minute', 0.0043, DEEPGRAM),
  ...rows('deepgram', ['nova-3-streaming'], '2025-06-01', 'minute', 0.0077, DEEPGRAM),
  ...rows(
    'deepgram',
    ['nova-2-streaming', 'nova-streaming', 'base-streaming', 'enhanced-streaming'],
    '2025-06-01',
    'minute',
    0.0058,
    DEEPGRAM,
  ),
  ...rows('deepgram', ['flux-general-en', 'flux-general-en-streaming'], '2025-10-01', 'minute', 0.0077, DEEPGRAM),
];
