/**
 * Stainless-generated clients (openai, Cartesia) return an APIPromise: a lazy promise that
 * parses the body only when awaited and offers `withResponse()` / `asResponse()`. Metering goes
 * through `_thenUnwrap`, which builds the same kind of APIPromise, so both keep working.
 */
export interface APIPromiseLike {
  asResponse(): Promise<unknown>;
  _thenUnwrap(transform: (data: unknown) => unknown): unknown;
}

export function isAPIPromise(value: unknown): value is APIPromiseLike {
  return (
    typeof value === 'object' && value !== null &&
    typeof (value as APIPromiseLike)._thenUnwrap === 'function' && typeof (value as APIPromiseLike).asResponse === 'function'
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
    observer.parsed(undefined);
    return result;
  }
  // asResponse() reads no body, so observing failures here changes nothing for the caller.
  result.asResponse().then(
    () => observer.headers?.(),
    (error: unknown) => observer.failed(error ?? new Error('rejected')),
  );
  return result._thenUnwrap((data) => observer.parsed(data));
}
