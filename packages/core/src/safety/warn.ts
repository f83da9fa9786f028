import { diag } from '@opentelemetry/api';

const INTERVAL_MS = 60_000;
const MAX_CODES = 1_000;

interface WarnState {
  at: number;
  suppressed: number;
}

/**
 * Rate-limited warnings through OpenTelemetry's diag logger: one message per code per minute,
 * with a count of what was suppressed meanwhile. Messages never carry attribute values.
 */
export class Warner {
  readonly #states = new Map<string, WarnState>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  warn(code: string, message: string): void {
    try {
      const now = this.#now();
      const state = this.#states.get(code);
      if (state !== undefined && now - state.at < INTERVAL_MS) {
        state.suppressed++;
        return;
      }
      if (this.#states.size >= MAX_CODES) this.#states.clear();
      const suppressed = state?.suppressed ?? 0;
      this.#states.set(code, { at: now, suppressed: 0 });
      diag.warn(`agentmeter: ${message}${suppressed > 0 ? ` (${suppressed} similar warnings suppressed)` : ''}`);
    } catch {
      // A logger that throws must not reach the host service.
    }
  }
}

/** Short, printable form of a caller-supplied name for a warning (never the full value). */
export function describeName(name: unknown): string {
  if (typeof name !== 'string') return `<${typeof name}>`;
  const printable = name.slice(0, 40).replace(/[^\x20-\x7e]/g, '?');
  return name.length > 40 ? `${printable}...` : printable;
}
