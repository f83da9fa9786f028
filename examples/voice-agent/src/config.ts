/** Where each provider lives: the simulator's loopback URLs, or nothing (the real API). */
export interface SimulatorUrls {
  /** OpenAI chat and Anthropic messages (one loopback server speaks both). */
  readonly llm: string;
  /** OpenAI audio (whisper transcriptions). */
  readonly openaiAudio: string;
  readonly elevenlabs: string;
  readonly cartesia: string;
  readonly deepgram: string;
  /** The knowledge-base search API the agent consults (an "external API"). */
  readonly knowledge: string;
  /** OpenAI Realtime (speech-to-speech sessions), served over wss with provider-sim's loopback certificate. */
  readonly openaiRealtime?: string;
  /** Gemini Live (speech-to-speech sessions over BidiGenerateContent), served over plain ws on loopback. */
  readonly geminiLive?: string;
}

export interface ServiceConfig {
  /** Port of the service: the API, the WebSocket and /metrics (0 picks a free one). */
  readonly port: number;
  readonly host: string;
  /** `postgres://...` to use PostgreSQL through pg; otherwise an embedded PGlite database. */
  readonly databaseUrl: string | undefined;
  /** `redis://...` for the Redis cache; otherwise an in-memory cache. */
  readonly redisUrl: string | undefined;
  /** Prefix of the service's Redis keys (env VOICE_AGENT_CACHE_PREFIX, default `voice-agent:`). */
  readonly cachePrefix: string;
  /** Provider API keys found in the environment; a provider without one goes to the simulator. */
  readonly keys: Readonly<Record<ProviderName, string | undefined>>;
  /** The simulator's URLs, from VOICE_AGENT_SIMULATOR (JSON), when the demo started one. */
  readonly simulator: SimulatorUrls | undefined;
}

export type ProviderName = 'openai' | 'anthropic' | 'elevenlabs' | 'cartesia' | 'deepgram' | 'google';

const KEY_VARIABLES: Readonly<Record<ProviderName, string>> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  elevenlabs: 'ELEVENLABS_API_KEY',
  cartesia: 'CARTESIA_API_KEY',
  deepgram: 'DEEPGRAM_API_KEY',
  google: 'GEMINI_API_KEY',
};

/**
 * A number from an environment variable, `fallback` when unset; anything else than a number in
 * [min, max] (a whole one when `integer`) throws a message naming the variable.
 */
export function envNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  range: { min: number; max: number; integer?: boolean },
): number {
  const value = env[name];
  if (value === undefined || value.trim() === '') return fallback;
  const number = Number(value);
  if (
    !Number.isFinite(number) ||
    number < range.min ||
    number > range.max ||
    (range.integer === true && !Number.isInteger(number))
  ) {
    const kind = range.integer === true ? 'a whole number' : 'a number';
    throw new Error(
      `${name} must be ${kind} from ${range.min} to ${range.max}; got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return number;
}

function parseSimulator(value: string | undefined): SimulatorUrls | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = JSON.parse(value) as Partial<SimulatorUrls>;
  for (const key of ['llm', 'openaiAudio', 'elevenlabs', 'cartesia', 'deepgram', 'knowledge'] as const) {
    if (typeof parsed[key] !== 'string') throw new Error(`voice-agent: VOICE_AGENT_SIMULATOR lacks the "${key}" URL`);
  }
  return parsed as SimulatorUrls;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const keys = Object.fromEntries(
    Object.entries(KEY_VARIABLES).map(([provider, variable]) => [provider, env[variable] || undefined]),
  ) as Record<ProviderName, string | undefined>;
  return {
    port: envNumber(env, 'PORT', 3000, { min: 0, max: 65_535, integer: true }),
    host: env['HOST'] ?? '127.0.0.1',
    databaseUrl: env['DATABASE_URL'] || undefined,
    redisUrl: env['REDIS_URL'] || undefined,
    cachePrefix: env['VOICE_AGENT_CACHE_PREFIX'] || 'voice-agent:',
    keys,
    simulator: parseSimulator(env['VOICE_AGENT_SIMULATOR']),
  };
}

/** True when some provider has no key, so the service needs a simulator for it. */
export function needsSimulator(config: ServiceConfig): boolean {
  return Object.values(config.keys).some((key) => key === undefined);
}
