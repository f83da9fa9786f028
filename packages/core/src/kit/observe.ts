/**
 * The wrapper kit's observation of what a client returns, without replacing it: an async
 * iterator patched in place, and the APIPromise of the Stainless-generated SDKs (openai,
 * @anthropic-ai/sdk, Cartesia). Observers never throw into the consumer.
 */
import { safely, type AnyFunction } from './wrap.ts';

/** What `observeIterator` reports; after `done`, `error` or `returned`, nothing more is reported. */
export interface IteratorObserver<T = unknown> {
  /** One item the consumer received. */
  item(value: T): void;
  /** The iterator said it is done. */
  done(): void;
  /** `next()` (or `throw()`) threw or rejected; the consumer gets the error untouched. */
  error(error: unknown): void;
  /** The consumer stopped early (`return()`, as a `break` out of `for await` calls it). */
  returned(): void;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/**
 * Patches an async iterator in place (its identity and prototype stay) so that each item, its
 * end, a failure and an early return reach `observer`. Returns the same iterator.
 */
export function observeIterator<I>(iterator: I, observer: IteratorObserver): I {
  const it = iterator as { next?: unknown; return?: unknown; throw?: unknown } | null;
  const next = it?.next;
  if (typeof next !== 'function') return iterator;
  let settled = false;
  const settle = (report: () => void): void => {
    if (settled) return;
    settled = true;
    safely(report);
  };
  const onStep = (step: IteratorResult<unknown>): IteratorResult<unknown> => {
    try {
      if (step.done === true) settle(() => observer.done());
      else if (!settled) observer.item(step.value);
    } catch {
      // An item of a surprising shape is skipped.
    }
    return step;
  };
  const onError = (error: unknown): never => {
    settle(() => observer.error(error));
    throw error;
  };
  const stepping = (method: AnyFunction) =>
    function stepObserved(this: unknown, ...args: unknown[]): unknown {
      let result: unknown;
      try {
        result = Reflect.apply(method, this, args);
      } catch (error) {
        return onError(error);
      }
      return isThenable(result) ? (result as Promise<IteratorResult<unknown>>).then(onStep, onError) : result;
    };
  const target = it as { next: unknown; return?: unknown; throw?: unknown };
  target.next = stepping(next as AnyFunction);
  const thrower = it?.throw;
  if (typeof thrower === 'function') target.throw = stepping(thrower as AnyFunction);
  const stop = it?.return;
  if (typeof stop === 'function') {
    target.return = function returnObserved(this: unknown, ...args: unknown[]): unknown {
      settle(() => observer.returned());
      return Reflect.apply(stop as AnyFunction, this, args);
    };
  }
  return iterator;
}

/**
 * What `observeApiPromise` reports about one request and the promises derived from it. Each
 * method also gets the `context` given with the promise, so one observer (built once, at wrap
 * time) can serve every call.
 */
export interface ApiPromiseObserver<C = undefined> {
  /** The response arrived (its headers; the body may still be streaming). */
  headers?(context: C): void;
  /** The request failed before a response (status errors, timeouts, connection errors). */
  failed(error: unknown, context: C): void;
  /** The body was parsed (once, the first parse of this promise or one derived from it). */
  parsed(data: unknown, context: C): void;
  /** Parsing the body failed. */
  parseFailed(error: unknown, context: C): void;
}

/** The SDKs' own (underscored) name for deriving an APIPromise with a transformed result. */
const THEN_UNWRAP = '_thenUnwrap';

interface StainlessPromise {
  responsePromise?: unknown;
  parseResponse?: unknown;
  [THEN_UNWRAP]?: unknown;
}

/** True for a Stainless SDK's APIPromise: a lazy promise with its response and parse step apart. */
export function isApiPromise(value: unknown): boolean {
  const target = value as StainlessPromise | null;
  return (
    typeof target === 'object' &&
    target !== null &&
    typeof target.parseResponse === 'function' &&
    isThenable(target.responsePromise)
  );
}

/**
 * Observes a Stainless SDK's APIPromise without replacing it: failures through its response
 * promise, the body through its (lazy) parse step. The caller keeps the very same object, so
 * `.withResponse()`, `.asResponse()` and the parsed types are untouched, and the body is parsed
 * only if the caller asks for it. Promises derived from it (`_thenUnwrap`: the SDKs' `parse()`
 * helpers, embeddings' base64 decoding) are observed as well. Returns false, observing nothing,
 * when `promise` is not an APIPromise.
 */
export function observeApiPromise<C>(promise: unknown, observer: ApiPromiseObserver<C>, context: C): boolean {
  if (!isApiPromise(promise)) return false;
  const observation = new Observation(observer, context);
  const onHeaders = observer.headers === undefined ? undefined : () => safely(() => observer.headers?.(context));
  // Inline guards rather than `safely` closures: this runs once per call of every wrapped method.
  (promise as { responsePromise: PromiseLike<unknown> }).responsePromise.then(onHeaders, (error: unknown) => {
    try {
      observer.failed(error, context);
    } catch {
      // Recording never reaches the caller.
    }
  });
  observeParse(promise as StainlessPromise, observation);
  return true;
}

/** One observed request, shared by its promise and those derived from it: the body is reported once. */
class Observation<C> {
  readonly observer: ApiPromiseObserver<C>;
  readonly context: C;
  parsed = false;

  constructor(observer: ApiPromiseObserver<C>, context: C) {
    this.observer = observer;
    this.context = context;
  }

  parseFailed(error: unknown): void {
    try {
      this.observer.parseFailed(error, this.context);
    } catch {
      // Recording never reaches the caller.
    }
  }
}

function observeParse<C>(target: StainlessPromise, observation: Observation<C>): void {
  const parse = target.parseResponse as AnyFunction;
  const thenUnwrap = target[THEN_UNWRAP];
  if (typeof thenUnwrap === 'function') {
    target[THEN_UNWRAP] = function thenUnwrapObserved(this: unknown, ...args: unknown[]): unknown {
      const derived = Reflect.apply(thenUnwrap as AnyFunction, this, args);
      if (isApiPromise(derived)) safely(() => observeParse(derived as StainlessPromise, observation));
      return derived;
    };
  }
  target.parseResponse = function parseObserved(this: unknown, ...args: unknown[]): unknown {
    let result: unknown;
    try {
      result = Reflect.apply(parse, this, args);
    } catch (error) {
      observation.parseFailed(error);
      throw error;
    }
    return (isThenable(result) ? (result as Promise<unknown>) : Promise.resolve(result)).then(
      (data) => {
        if (!observation.parsed) {
          observation.parsed = true;
          try {
            observation.observer.parsed(data, observation.context);
          } catch {
            // The caller gets its data whatever the observer does.
          }
        }
        return data;
      },
      (error: unknown) => {
        observation.parseFailed(error);
        throw error;
      },
    );
  };
}
