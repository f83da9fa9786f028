import { safely as safe } from '@agentmeter/core/internal';
import { parsedSafely } from './stainless.ts';

/**
 * Fern-generated clients (ElevenLabs, Deepgram) return an HttpResponsePromise: an eager promise
 * of the data with `withRawResponse()`. Metering builds the same kind of promise with the class's
 * own `fromPromise`, so awaiting it and `withRawResponse()` both keep working.
 */
interface FernPromise {
  withRawResponse(): Promise<{ data: unknown; rawResponse: { headers?: Headers } }>;
  constructor: { fromPromise?: (promise: Promise<unknown>) => unknown };
}

export interface FernObserver {
  failed(error: unknown): void;
  /** Sees (and may replace, e.g. with a metered stream) the data; must return it. */
  parsed(data: unknown, headers: Headers | undefined): unknown;
}

export function meterFernPromise(result: unknown, observer: FernObserver): unknown {
  const fern = result as FernPromise;
  const fromPromise = fern?.constructor?.fromPromise;
  if (typeof fern?.withRawResponse !== 'function' || typeof fromPromise !== 'function') {
    parsedSafely(observer, undefined);
    return result;
  }
  const metered = fern.withRawResponse().then(
    ({ data, rawResponse }) => ({ data: parsedSafely(observer, data, rawResponse?.headers), rawResponse }),
    (error: unknown) => {
      safe(() => observer.failed(error ?? new Error('rejected')));
      throw error;
    },
  );
  return fromPromise.call(fern.constructor, metered);
}
