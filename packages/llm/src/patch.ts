import { AgentMeterConfigError } from '@agentmeter/core';
import { type AnyFunction, wrap } from '@agentmeter/core/internal';

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

/** Reads `a.b.c` from a client without invoking anything but property getters. */
export function at(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (!isObject(value)) return undefined;
    value = value[key];
  }
  return value;
}

/** The methods a wrapper patches, as paths from the client: `['chat', 'completions', 'create']`. */
export type MethodPath = readonly string[];

/**
 * Checks at wrap time that the client has at least one of the methods; otherwise throws with
 * what was expected. Returns the paths present.
 */
export function requireMethods(
  fn: string,
  client: unknown,
  paths: readonly MethodPath[],
  expected: string,
): MethodPath[] {
  if (!isObject(client)) {
    throw new AgentMeterConfigError(`${fn}: expected ${expected}; got ${client === null ? 'null' : typeof client}`);
  }
  const present = paths.filter((path) => typeof at(client, path) === 'function');
  if (present.length === 0) {
    const names = paths.map((path) => path.join('.')).join(', ');
    throw new AgentMeterConfigError(`${fn}: expected ${expected} (with ${names}); this object has none of them`);
  }
  return present;
}

/**
 * Replaces the method at `path` on the client instance (the prototype and other clients are
 * untouched) with a wrapper built from the original, through the kit's `wrap`: a method
 * already patched by agentmeter is left as it is.
 */
export function patchMethod(client: unknown, path: MethodPath, wrapper: (original: AnyFunction) => AnyFunction): void {
  const name = path[path.length - 1];
  if (name !== undefined) wrap(at(client, path.slice(0, -1)), name, wrapper);
}
