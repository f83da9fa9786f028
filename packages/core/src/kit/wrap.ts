/**
 * The wrapper kit's patching, after OpenTelemetry contrib's InstrumentationBase (`_wrap`,
 * `_unwrap`, `isWrapped`, `safeExecuteInTheMiddle`): a method is replaced on the object that
 * owns it, at most once, in a way any copy of agentmeter can detect and undo.
 */

/** A method as the kit sees it: any arguments, any result. */
export type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Marks a patched method and holds the original it replaced. A registered symbol, so two copies
 * of @agentmeter/core in one process (two installs, CJS next to ESM) see each other's patches.
 */
const ORIGINAL: unique symbol = Symbol.for('agentmeter.wrapped') as never;

/** True when `fn` is a method agentmeter patched (by any wrapper, any copy of core). */
export function isWrapped(fn: unknown): boolean {
  return typeof fn === 'function' && typeof (fn as { [ORIGINAL]?: unknown })[ORIGINAL] === 'function';
}

/** The function a patched method replaced, or `fn` itself when it is not patched. */
export function originalOf<F>(fn: F): F {
  return isWrapped(fn) ? (fn as { [ORIGINAL]: F })[ORIGINAL] : fn;
}

/**
 * Replaces `owner[name]` with `wrapper(original)` on that object only (its prototype and other
 * instances are untouched). Idempotent: a method already patched stays as it is. Returns true
 * when the method is patched (now or before), false when there is no such method or the
 * wrapper could not be built or installed, in which case the original stays in place.
 */
export function wrap(owner: unknown, name: PropertyKey, wrapper: (original: AnyFunction) => AnyFunction): boolean {
  try {
    if ((typeof owner !== 'object' && typeof owner !== 'function') || owner === null) return false;
    const target = owner as Record<PropertyKey, unknown>;
    const original = target[name];
    if (typeof original !== 'function') return false;
    if (isWrapped(original)) return true;
    const patched = wrapper(original as AnyFunction);
    if (typeof patched !== 'function') return false;
    Object.defineProperty(patched, ORIGINAL, { value: original, configurable: true });
    Object.defineProperty(patched, 'name', { value: (original as AnyFunction).name, configurable: true });
    target[name] = patched;
    return target[name] === patched;
  } catch {
    // A frozen owner, a throwing getter or a wrapper that failed: the original stays.
    return false;
  }
}

/** `wrap`, with the original bound to `owner` (for wrappers that call it without a receiver). */
export function wrapBound(owner: unknown, name: PropertyKey, wrapper: (original: AnyFunction) => AnyFunction): boolean {
  return wrap(owner, name, (original) => wrapper(original.bind(owner)));
}

/** Puts back the original of a method `wrap` patched. Returns true when something was restored. */
export function unwrap(owner: unknown, name: PropertyKey): boolean {
  try {
    if ((typeof owner !== 'object' && typeof owner !== 'function') || owner === null) return false;
    const target = owner as Record<PropertyKey, unknown>;
    const patched = target[name];
    if (!isWrapped(patched)) return false;
    target[name] = originalOf(patched);
    return true;
  } catch {
    return false;
  }
}

/** Runs a recording step; whatever it throws stays here (recording never reaches the host). */
export function safely(step: () => void): void {
  try {
    step();
  } catch {
    // Recording must never reach the host service.
  }
}

/** The value `step` returns, or `fallback` when it throws (binding a series on a broken meter, say). */
export function attempt<T>(step: () => T, fallback: T): T {
  try {
    return step();
  } catch {
    return fallback;
  }
}

/**
 * Runs the host's `execute`, then `onFinish` with its error or result inside a guard: a throw
 * of `onFinish` is swallowed, and `execute`'s own error is rethrown untouched.
 */
export function safeExecuteInTheMiddle<T>(
  execute: () => T,
  onFinish: (error: unknown, result: T | undefined) => void,
): T {
  let result: T;
  try {
    result = execute();
  } catch (error) {
    safely(() => onFinish(error, undefined));
    throw error;
  }
  safely(() => onFinish(undefined, result));
  return result;
}
