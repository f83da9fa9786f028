import {
  type Delay,
  type FaultRule,
  faultRates,
  logNormalMs,
  realisticLlmOptions,
  seededRandom,
  type SpeechSim,
  type SpeechSimOptions,
  startCartesiaSim,
  startDeepgramSim,
  startElevenLabsSim,
  startLlmSimulator,
  startGeminiLiveSim,
  startLoopbackServer,
  startOpenAIAudioSim,
  startOpenAIRealtimeSim,
} from '@agentmeter/provider-sim';
import { envNumber, type SimulatorUrls } from './config.ts';

/** Fault rates per provider request, each 0..1. */
export interface FaultRateOptions {
  /** HTTP 429 with retry-after (env AGENTMETER_SIM_RATE_LIMIT, default 0.02). */
  readonly rateLimit: number;
  /** HTTP 500/503 (env AGENTMETER_SIM_SERVER_ERROR, default 0.01). */
  readonly serverError: number;
  /** Never answers, so the client's timeout fires (env AGENTMETER_SIM_TIMEOUT, default 0.002). */
  readonly timeout: number;
}

export interface DemoSimulatorOptions {
  readonly faults?: Partial<FaultRateOptions>;
  /** Multiplies every latency (env AGENTMETER_SIM_LATENCY_SCALE, default 1; 0.1 makes the demo ten times faster). */
  readonly latencyScale?: number;
  /** PRNG seed, to repeat the simulated latencies and faults (env AGENTMETER_SIM_SEED; default: a new one each run). */
  readonly seed?: number;
}

export interface DemoSimulator {
  readonly urls: SimulatorUrls;
  close(): Promise<void>;
}

/** Reads the simulator's knobs from AGENTMETER_SIM_* variables. */
export function simulatorOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DemoSimulatorOptions {
  const probability = { min: 0, max: 1 };
  const seed = envNumber(env, 'AGENTMETER_SIM_SEED', -1, { min: 0, max: 2 ** 31, integer: true });
  return {
    faults: {
      rateLimit: envNumber(env, 'AGENTMETER_SIM_RATE_LIMIT', 0.02, probability),
      serverError: envNumber(env, 'AGENTMETER_SIM_SERVER_ERROR', 0.01, probability),
      timeout: envNumber(env, 'AGENTMETER_SIM_TIMEOUT', 0.002, probability),
    },
    latencyScale: envNumber(env, 'AGENTMETER_SIM_LATENCY_SCALE', 1, { min: 0, max: 100 }),
    ...(seed >= 0 ? { seed } : {}),
  };
}

const REPLIES = [
  'Ahoy! The hatch to the engine room is just past the periscope, mind the low pipes.',
  'Welcome aboard. I can tell you about the reactor, the crew quarters or the sonar station.',
  'The life raft holds six people, and the emergency beacon switches on when it touches water.',
  'Good question. The captain keeps the charts in the wardroom, next to the galley.',
];

/**
 * Starts every provider the voice agent talks to on loopback, with production-like behaviour:
 * log-normal latencies (LLM first token around 450-600 ms, TTS first audio around 200 ms, STT around
 * 300 ms), streaming, and 429s, 5xx and hangs at the given rates. Composes provider-sim's servers.
 */
export async function startDemoSimulator(options: DemoSimulatorOptions = {}): Promise<DemoSimulator> {
  const scale = options.latencyScale ?? 1;
  if (typeof scale !== 'number' || !(scale >= 0 && scale <= 100)) {
    throw new TypeError(`provider simulator: latencyScale must be a number from 0 to 100; got ${String(scale)}`);
  }
  const rates: FaultRateOptions = { rateLimit: 0.02, serverError: 0.01, timeout: 0.002, ...options.faults };
  for (const [name, rate] of Object.entries(rates)) {
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw new TypeError(`provider simulator: faults.${name} must be a probability from 0 to 1; got ${String(rate)}`);
    }
  }
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  // provider-sim's production-like LLM profile (per-provider latency), with this demo's fault rates.
  const profile = realisticLlmOptions(seed);
  const scaled = (delay: Delay | undefined): Delay | undefined => {
    if (delay === undefined) return undefined;
    if (typeof delay === 'number') return delay * scale;
    return { median: delay.median * scale, p95: delay.p95 * scale, max: (delay.max ?? 10_000) * scale };
  };
  const latencyByProvider = Object.fromEntries(
    Object.entries(profile.latencyByProvider ?? {}).map(([provider, latency]) => [
      provider,
      { firstByte: scaled(latency.firstByte), betweenFrames: scaled(latency.betweenFrames) },
    ]),
  );
  // One of each enabled fault among a provider's first requests, then faults at their rates: a
  // short demo shows rate limits and errors on every panel (AGENTMETER_SIM_*=0 turns a kind off).
  const earlyLlm: FaultRule[] =
    rates.rateLimit > 0
      ? ['openai', 'anthropic'].map((provider) => ({ fault: '429', provider, times: 1, retryAfter: 1 }))
      : [];
  const llmFaults: FaultRule[] = [
    ...earlyLlm,
    { fault: '429', rate: rates.rateLimit, retryAfter: 1 },
    { fault: '503', rate: rates.serverError * 0.3 },
    { fault: '500', rate: rates.serverError * 0.3 },
    // Streams that break: a dropped connection and a malformed frame, both `stream_error`.
    { fault: 'abort:4', rate: rates.serverError * 0.25 },
    { fault: 'malformed:3', rate: rates.serverError * 0.15 },
    { fault: 'hang', rate: rates.timeout },
  ];
  const models = Object.fromEntries(
    ['gpt-4o-mini', 'claude-haiku-4-5', 'claude-opus-4-1'].map((model, i) => [
      model,
      { reply: REPLIES[i % REPLIES.length]!, usage: { input: 420 + 40 * i, cached_input: 128 } },
    ]),
  );
  const llm = await startLlmSimulator({
    seed,
    models,
    faults: llmFaults,
    reply: REPLIES[3]!,
    latencyByProvider,
  });

  const speech = (index: number, median: number, p95: number): SpeechSimOptions => {
    const random = seededRandom(seed * 31 + index);
    const latency = logNormalMs(Math.max(median * scale, 0.01), Math.max(p95 * scale, 0.02), random);
    const byRate = faultRates(
      { rate_limit: rates.rateLimit, server_error: rates.serverError, hang: rates.timeout },
      random,
    );
    let requests = 0;
    return {
      firstByteMs: () => Math.min(latency(), 8000 * scale),
      chunkGapMs: () => (15 + random() * 35) * scale,
      chunks: 6,
      // The third request is rate limited (when rate limits are on), as early faults above.
      faultFor: () =>
        ++requests === 3 && rates.rateLimit > 0 ? { kind: 'rate_limit', retryAfterSeconds: 1 } : byRate(),
    };
  };
  const sims: SpeechSim[] = [];
  const started = async (sim: Promise<SpeechSim>): Promise<SpeechSim> => {
    const value = await sim;
    sims.push(value);
    return value;
  };
  const [elevenlabs, cartesia, deepgram, openaiAudio] = await Promise.all([
    started(startElevenLabsSim(speech(1, 220, 650))),
    started(startCartesiaSim(speech(2, 150, 450))),
    started(startDeepgramSim(speech(3, 280, 900))),
    started(startOpenAIAudioSim(speech(4, 450, 1400))),
  ]);

  const knowledgeRandom = seededRandom(seed * 31 + 5);
  const knowledgeLatency = logNormalMs(Math.max(40 * scale, 0.01), Math.max(160 * scale, 0.02), knowledgeRandom);
  let searches = 0;
  const knowledge = await startLoopbackServer(async (req, res) => {
    const probe = req.url === '/health';
    if (!probe) await new Promise((resolve) => setTimeout(resolve, knowledgeLatency()));
    // The second search fails (when server errors are on), then searches fail at their rate.
    const failed = !probe && ((++searches === 2 && rates.serverError > 0) || knowledgeRandom() < rates.serverError);
    res.writeHead(failed ? 503 : 200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        failed ? { error: 'unavailable' } : { results: [{ title: 'Deck plan', score: 0.82 }], path: req.url },
      ),
    );
  });

  // Speech-to-speech sessions: audio deltas about 40 ms apart, as a realtime model streams them.
  const realtime = await startOpenAIRealtimeSim({ audioDeltas: 6, deltaMs: 40 * scale });
  const geminiLive = await startGeminiLiveSim({ audioChunks: 6, chunkMs: 40 * scale });

  return {
    urls: {
      llm: llm.url,
      openaiAudio: openaiAudio.url,
      elevenlabs: elevenlabs.url,
      cartesia: cartesia.url,
      deepgram: deepgram.url,
      knowledge: knowledge.url,
      openaiRealtime: realtime.url,
      geminiLive: geminiLive.url,
    },
    async close() {
      await Promise.all([
        llm.close(),
        knowledge.close(),
        realtime.close(),
        geminiLive.close(),
        ...sims.map((sim) => sim.close()),
      ]);
    },
  };
}
