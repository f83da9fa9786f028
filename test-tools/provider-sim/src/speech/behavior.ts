import { seededRandom } from '../random.ts';
/**
 * How a speech simulator behaves: its latency and the faults it injects. Tests use fixed numbers
 * and a queue of faults; the demo plugs in distributions and fault rates (see `realisticSpeechOptions()`).
 */

/** A fault injected into one request or connection. */
export type SpeechFault =
  /** HTTP 429 with `retry-after` (WebSocket upgrades are refused with 429 too). */
  | { readonly kind: 'rate_limit'; readonly retryAfterSeconds?: number }
  /** HTTP 500 (a WebSocket closes with 1011 after opening). */
  | { readonly kind: 'server_error' }
  /** Accepts the request and never answers, so the client's timeout fires. */
  | { readonly kind: 'hang' }
  /** Sends `afterChunks` chunks (default 1), then destroys the connection mid-stream. */
  | { readonly kind: 'abort'; readonly afterChunks?: number };

/** A number of milliseconds, or a function drawing one per use (for distributions). */
export type Millis = number | (() => number);

export interface SpeechSimOptions {
  /** Delay before the first byte of a response or first message of a stream (default 0). */
  firstByteMs?: Millis;
  /** Delay between streamed chunks (default 0). */
  chunkGapMs?: Millis;
  /** Chunks per streamed TTS response (default 4). */
  chunks?: number;
  /** Seconds of synthesized audio per input character (default 0.05, i.e. 20 characters a second). */
  secondsPerCharacter?: number;
  /** Draws a fault for each request not served from the `faults` queue (for fault rates). */
  faultFor?: (request: SimRequestInfo) => SpeechFault | undefined;
}

/** What a fault source sees of a request: never its body. */
export interface SimRequestInfo {
  readonly method: string;
  readonly path: string;
}

/** The resolved behaviour shared by every simulator. */
export interface SimBehavior {
  readonly faults: SpeechFault[];
  firstByteMs(): number;
  chunkGapMs(): number;
  readonly chunks: number;
  readonly secondsPerCharacter: number;
  /** Takes the next queued fault, else asks `faultFor`. */
  nextFault(request: SimRequestInfo): SpeechFault | undefined;
}

function draw(value: Millis | undefined): () => number {
  if (typeof value === 'function') return () => Math.max(0, value());
  const fixed = Math.max(0, value ?? 0);
  return () => fixed;
}

export function resolveBehavior(options: SpeechSimOptions = {}): SimBehavior {
  const faults: SpeechFault[] = [];
  return {
    faults,
    firstByteMs: draw(options.firstByteMs),
    chunkGapMs: draw(options.chunkGapMs),
    chunks: Math.max(1, Math.floor(options.chunks ?? 4)),
    secondsPerCharacter: options.secondsPerCharacter ?? 0.05,
    nextFault: (request) => faults.shift() ?? options.faultFor?.(request),
  };
}

/** Resolves after `ms` milliseconds (immediately for 0, so deterministic tests stay fast). */
export function pause(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

/** Log-normal latency with the given median and 95th percentile, in milliseconds. */
export function logNormalMs(median: number, p95: number, random: () => number = Math.random): () => number {
  const sigma = Math.log(p95 / median) / 1.6448536;
  return () => {
    // Box-Muller from two uniforms; 1 - u keeps log away from 0.
    const u = 1 - random();
    const v = random();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(sigma * z);
  };
}

/** Fault rates per request, e.g. `{ rate_limit: 0.02, server_error: 0.005, hang: 0.001 }`. */
export function faultRates(
  rates: Partial<Record<SpeechFault['kind'], number>>,
  random: () => number = Math.random,
): () => SpeechFault | undefined {
  const entries = Object.entries(rates) as [SpeechFault['kind'], number][];
  return () => {
    let roll = random();
    for (const [kind, rate] of entries) {
      if (roll < rate) return kind === 'rate_limit' ? { kind, retryAfterSeconds: 1 } : { kind };
      roll -= rate;
    }
    return undefined;
  };
}

/**
 * Options for a demo that looks like production: log-normal first-byte latency around `medianMs`,
 * 20 to 60 ms between chunks, and a few percent of rate limits and server errors.
 */
export function realisticSpeechOptions(seed = 1, medianMs = 250): SpeechSimOptions {
  const random = seededRandom(seed);
  const faults = faultRates({ rate_limit: 0.02, server_error: 0.01, abort: 0.005 }, random);
  return {
    firstByteMs: logNormalMs(medianMs, medianMs * 3, random),
    chunkGapMs: () => 20 + random() * 40,
    chunks: 6,
    faultFor: faults,
  };
}
