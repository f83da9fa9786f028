import type { IncomingMessage } from 'node:http';

/**
 * A fault, as written in a rule or in the `x-sim-fault` request header:
 * an HTTP status (`429`, `500`, `401`, ...), `hang` (never answer: for client timeouts),
 * `abort` or `abort:N` (drop the connection after N stream frames, default 2),
 * `malformed` or `malformed:N` (send a broken SSE frame after N frames, then end),
 * `error-event` or `error-event:N` (send the provider's in-stream error event after N frames).
 */
export type FaultSpec = string;

export type ParsedFault =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'abort'; readonly afterFrames: number }
  | { readonly kind: 'malformed'; readonly afterFrames: number }
  | { readonly kind: 'error-event'; readonly afterFrames: number };

/** A fault applied to matching requests, by chance (`rate`) and/or a number of times. */
export interface FaultRule {
  readonly fault: FaultSpec;
  /** Only requests to this provider (`openai`, `anthropic`, `google`). */
  readonly provider?: string;
  /** Only requests for this model. */
  readonly model?: string;
  /** Probability per matching request, 0..1 (default 1). */
  readonly rate?: number;
  /** Applies to this many matching requests, then stops (default: no limit). */
  readonly times?: number;
  /** Seconds sent in `retry-after` with a 429 or 503 (default 1). */
  readonly retryAfter?: number;
}

/**
 * A delay in milliseconds: a fixed number (deterministic, for tests), or a lognormal
 * distribution given by its median and 95th percentile (for a realistic demo), capped at `max`.
 */
export type Delay = number | { readonly median: number; readonly p95: number; readonly max?: number };

export interface LatencyOptions {
  /** Before a JSON response, or before the first stream frame. */
  readonly firstByte?: Delay;
  /** Between stream frames. */
  readonly betweenFrames?: Delay;
}

const DEFAULT_AFTER_FRAMES = 2;

export function parseFault(spec: string): ParsedFault | undefined {
  const [name = '', arg] = spec.trim().toLowerCase().split(':');
  if (/^\d{3}$/.test(name)) return { kind: 'status', status: Number(name) };
  if (name === 'hang') return { kind: 'hang' };
  if (name === 'abort' || name === 'malformed' || name === 'error-event') {
    const after = arg === undefined ? DEFAULT_AFTER_FRAMES : Number(arg);
    return { kind: name, afterFrames: Number.isInteger(after) && after >= 0 ? after : DEFAULT_AFTER_FRAMES };
  }
  return undefined;
}

const Z95 = 1.6448536269514722;

export function sampleDelay(delay: Delay | undefined, random: () => number): number {
  if (delay === undefined) return 0;
  if (typeof delay === 'number') return delay > 0 ? delay : 0;
  const sigma = delay.p95 > delay.median ? Math.log(delay.p95 / delay.median) / Z95 : 0;
  // Box-Muller: a standard normal from two uniforms.
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const value = delay.median * Math.exp(sigma * z);
  return Math.min(value, delay.max ?? Number.POSITIVE_INFINITY);
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** What one request should suffer: the header wins over the rules. */
export interface FaultPicker {
  pick(req: IncomingMessage, provider: string, model: string): { fault: ParsedFault; retryAfter: number } | undefined;
}

export function createFaultPicker(rules: readonly FaultRule[], random: () => number): FaultPicker {
  const parsed = rules.map((rule) => {
    const fault = parseFault(rule.fault);
    if (fault === undefined)
      throw new Error(
        `provider-sim: unknown fault ${JSON.stringify(rule.fault)}; use a status such as "429", "hang", "abort[:N]", "malformed[:N]" or "error-event[:N]"`,
      );
    return { rule, fault, left: rule.times ?? Number.POSITIVE_INFINITY };
  });
  return {
    pick(req, provider, model) {
      const header = req.headers['x-sim-fault'];
      if (typeof header === 'string') {
        const fault = parseFault(header);
        const retryAfter = Number(req.headers['x-sim-retry-after'] ?? 1);
        if (fault !== undefined) return { fault, retryAfter: Number.isFinite(retryAfter) ? retryAfter : 1 };
      }
      for (const entry of parsed) {
        const { rule } = entry;
        if (entry.left <= 0) continue;
        if (rule.provider !== undefined && rule.provider !== provider) continue;
        if (rule.model !== undefined && rule.model !== model) continue;
        if (rule.rate !== undefined && random() >= rule.rate) continue;
        entry.left -= 1;
        return { fault: entry.fault, retryAfter: rule.retryAfter ?? 1 };
      }
      return undefined;
    },
  };
}
