import { safe } from './observe.ts';

/**
 * Stainless-generated clients (openai, Cartesia) return an APIPromise: a lazy promise that
 * parses the body only when awaited and offers `withResponse()` / `asResponse()`. Metering goes
 * through `_thenUnwrap`, which builds the same kind of APIPromise, so both keep working.
 */
/** The SDKs' own (underscored) name for mapping an APIPromise's parsed data. */
const THEN_UNWRAP = '_thenUnwrap';

export interface APIPromiseLike {
  asResponse(): Promise<unknown>;
  [THEN_UNWRAP](transform: (data: unknown) => unknown): unknown;
}

export function isAPIPromise(value: unknown): value is APIPromiseLike {
  return (
    typeof value === 'object' && value !== null &&
    typeof (value as APIPromiseLike)[THEN_UNWRAP] === 'function' && typeof (value as APIPromiseLike).asResponse === 'function'
  );
}

export interface PromiseObserver {
  /** The response headers arrived (the body may still be streaming). */
  headers?(): void;
  /** The request failed before a response (status errors, timeouts, connection errors). */
  failed(error: unknown): void;
  /** Transforms the parsed data, e.g. to meter its stream; must return it (or the same object). */
  parsed(data: unknown): unknown;
}

/** Meters an APIPromise; anything else is returned as is after `failed`/`parsed` see its outcome. */
export function meterAPIPromise(result: unknown, observer: PromiseObserver): unknown {
  if (!isAPIPromise(result)) {
    parsedSafely(observer, undefined);
    return result;
  }
  // asResponse() reads no body, so observing failures here changes nothing for the caller.
  result.asResponse().then(
    () => safe(() => observer.headers?.()),
    (error: unknown) => safe(() => observer.failed(error ?? new Error('rejected'))),
  );
  return result[THEN_UNWRAP]((data) => parsedSafely(observer, data));
}

/** The observer's view of the data, or the data untouched if observing it failed. */
export function parsedSafely(observer: { parsed(data: unknown, headers?: Headers): unknown }, data: unknown, headers?: Headers): unknown {
  try {
    return observer.parsed(data, headers);
  } catch {
    return data;
  }
}
