/**
 * The wrapper kit's option checks: what a meter is, what a label option may hold, how a bad
 * value is named in an error, and the semantic-convention switch. Every wrapper package checks
 * its options through these at wrap time, so a mistake fails there with AgentMeterConfigError.
 */
import type { MeterProvider } from '@opentelemetry/api';
import { AgentMeterConfigError } from '../errors.ts';
import type { AgentMeter } from '../types.ts';

/** What a label given as an option (provider, db_system, pool, cache) may be. */
export const LABEL_OPTION: RegExp = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Throws the wrapper's configuration error: `fn: message`. */
export function configFail(fn: string, message: string): never {
  throw new AgentMeterConfigError(`${fn}: ${message}`);
}

/**
 * True for an AgentMeter from createAgentMeter() or start() (any copy of core): an object with
 * the catalog `instruments` every wrapper records through. The one meter check of the wrappers.
 */
export function isAgentMeter(value: unknown): value is AgentMeter {
  const meter = value as Partial<AgentMeter> | null;
  return (
    typeof meter === 'object' && meter !== null && typeof meter.instruments === 'object' && meter.instruments !== null
  );
}

/** Names a bad option value in an error message without echoing much of it. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'object' || typeof value === 'function') {
    let name: unknown;
    try {
      name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    } catch {
      name = undefined;
    }
    return typeof name === 'string' && name !== '' && name !== 'Object' && name !== 'Function'
      ? `a ${name}`
      : `a ${typeof value}`;
  }
  return String(value);
}

/** A label option, or `fallback` when it is not given; anything else throws with `hint`. */
export function labelOption(
  fn: string,
  name: string,
  value: unknown,
  fallback: string,
  hint = 'must be 1 to 64 letters, digits or _.:-',
): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !LABEL_OPTION.test(value))
    configFail(fn, `options.${name} ${hint} (got ${describeValue(value)})`);
  return value;
}

/** Checks the options object and its meter, the part every wrapper shares. */
export function requireMeter<O extends { readonly meter: AgentMeter }>(
  fn: string,
  options: O | undefined,
): asserts options is O {
  if (typeof options !== 'object' || options === null) {
    configFail(
      fn,
      `options must be an object with a "meter": pass options with a meter, e.g. ${fn}(client, { meter }) where meter = createAgentMeter() (got ${describeValue(options)})`,
    );
  }
  if (!isAgentMeter(options.meter)) {
    configFail(
      fn,
      `options.meter must be an AgentMeter from createAgentMeter() or start() (got ${describeValue(options.meter)})`,
    );
  }
}

/**
 * The semantic-convention switch every wrapper takes as `semconv`: a MeterProvider, `'global'`
 * (the provider `start()` registers), `true` (the same), or `false`/absent for off.
 */
export type SemconvOption = MeterProvider | 'global' | boolean;

/**
 * Resolves the semantic-convention switch: the MeterProvider to record through, `'global'` for
 * the global one (looked up by the caller, at the time it needs it), or undefined for off.
 * `fallback` is what an absent switch means for this wrapper. Bad values throw naming `name`.
 */
export function resolveSemconv(
  fn: string,
  value: unknown,
  fallback: boolean,
  name = 'semconv',
): MeterProvider | 'global' | undefined {
  if (value === undefined) return fallback ? 'global' : undefined;
  if (value === false) return undefined;
  if (value === true || value === 'global') return 'global';
  if (typeof (value as Partial<MeterProvider> | null)?.getMeter === 'function') return value as MeterProvider;
  return configFail(
    fn,
    `options.${name} must be an OpenTelemetry MeterProvider or 'global' (or true/false) (got ${describeValue(value)})`,
  );
}
