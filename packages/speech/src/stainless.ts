import { observeApiPromise } from '@agentmeter/core/internal';

/**
 * Stainless-generated clients (openai, Cartesia) return an APIPromise: a lazy promise that
 * parses the body only when awaited and offers `withResponse()` / `asResponse()`. Metering goes
 * through the kit's `observeApiPromise`, which observes the very same object in place.
 */
export interface PromiseObserver {
  /** The response headers arrived (the body may still be streaming). */
  headers?(): void;
  /** The request failed: before a response (status errors, timeouts, connection errors) or while parsing it. */
  failed(error: unknown): void;
  /** Sees the parsed data, e.g. to meter its stream in place. */
  parsed(data: unknown): unknown;
}

/** Meters an APIPromise and returns it; anything else is returned as is after `parsed` sees no data. */
export function meterAPIPromise(result: unknown, observer: PromiseObserver): unknown {
  const failed = (error: unknown): void => observer.failed(error ?? new Error('rejected'));
  const observed = observeApiPromise(
    result,
    { headers: observer.headers, failed, parseFailed: failed, parsed: observer.parsed },
    undefined,
  );
  if (!observed) parsedSafely(observer, undefined);
  return result;
}

/** The observer's view of the data, or the data untouched if observing it failed. */
export function parsedSafely(
  observer: { parsed(data: unknown, headers?: Headers): unknown },
  data: unknown,
  headers?: Headers,
): unknown {
  try {
    return observer.parsed(data, headers);
  } catch {
    return data;
  }
}
