import { diag } from '@opentelemetry/api';
import type { LlmCallState } from './recorder.ts';

/** What a wrapper does with a parsed JSON body, and with each stream event. */
export interface ResponseHandlers {
  /** Reads usage and the response model from a JSON body. */
  json(data: unknown, call: LlmCallState): void;
  /** Marks the first token, usage and completion from one stream event. */
  event(event: unknown, call: LlmCallState): void;
}

type Fn = (...args: unknown[]) => unknown;
/** The SDKs' internal helper that derives an APIPromise with a transformed result. */
const THEN_UNWRAP = '_thenUnwrap';
interface StainlessPromise {
  responsePromise?: unknown;
  parseResponse?: unknown;
  [THEN_UNWRAP]?: unknown;
}
interface StainlessStream {
  iterator?: unknown;
  controller?: { signal?: AbortSignal };
}

let warnedInternals = false;
/** Streams already observed, when both an APIPromise and one derived from it parse the same stream. */
const observedStreams = new WeakSet<object>();

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/**
 * Observes an APIPromise of the openai or @anthropic-ai/sdk clients without replacing it: failures
 * through its response promise, success through its (lazy) parse step. The caller keeps the very
 * same object, so `.withResponse()`, `.asResponse()` and the parsed types are untouched, and the
 * body is parsed only if the caller asks for it.
 */
export function observeApiPromise(promise: unknown, call: LlmCallState, handlers: ResponseHandlers): void {
  const target = promise as StainlessPromise | null;
  const parse = target?.parseResponse;
  const response = target?.responsePromise;
  if (typeof parse !== 'function' || !isThenable(response)) {
    if (!warnedInternals) {
      warnedInternals = true;
      diag.warn('agentmeter: this LLM client version returns promises agentmeter cannot observe; its calls are not recorded (check @agentmeter/llm\'s supported versions)');
    }
    return;
  }
  response.then(undefined, (error: unknown) => call.fail(error, 'request'));
  // SDK helpers (parse(), embeddings' base64 decoding) derive a new APIPromise that may parse
  // through a captured closure rather than this promise's parseResponse: observe those as well.
  const thenUnwrap = target?.[THEN_UNWRAP];
  if (typeof thenUnwrap === 'function') {
    (target as StainlessPromise)[THEN_UNWRAP] = function thenUnwrapObserved(this: unknown, ...args: unknown[]): unknown {
      const derived = Reflect.apply(thenUnwrap as Fn, this, args);
      try {
        observeApiPromise(derived, call, handlers);
      } catch {
        // The derived promise is returned as it is.
      }
      return derived;
    };
  }
  (target as StainlessPromise).parseResponse = function parseObserved(this: unknown, ...args: unknown[]): unknown {
    let parsed: unknown;
    try {
      parsed = Reflect.apply(parse as Fn, this, args);
    } catch (error) {
      call.fail(error, 'body');
      throw error;
    }
    return Promise.resolve(parsed).then(
      (data) => {
        observeParsed(data, call, handlers);
        return data;
      },
      (error: unknown) => {
        call.fail(error, 'body');
        throw error;
      },
    );
  };
}

function observeParsed(data: unknown, call: LlmCallState, handlers: ResponseHandlers): void {
  try {
    const stream = data as StainlessStream | null;
    if (typeof stream?.iterator === 'function' && typeof stream.controller === 'object') {
      if (!observedStreams.has(stream)) {
        observedStreams.add(stream);
        observeStream(stream, call, handlers.event, () => stream.controller?.signal?.aborted === true);
      }
      return;
    }
    handlers.json(data, call);
  } catch {
    // A surprising body shape loses its usage, never the caller's data.
  }
  call.end();
}

/** Replaces a stream's iterator factory so whoever iterates it (for await, tee, toReadableStream) is observed. */
function observeStream(stream: StainlessStream, call: LlmCallState, onEvent: ResponseHandlers['event'], aborted: () => boolean): void {
  const original = stream.iterator as Fn;
  stream.iterator = function iteratorObserved(this: unknown, ...args: unknown[]): unknown {
    const iterator = Reflect.apply(original, this, args);
    try {
      observeIterator(iterator, call, onEvent, aborted);
    } catch {
      // An iterator that cannot be patched (frozen, say) is returned unobserved.
    }
    return iterator;
  };
}

/**
 * Patches an async iterator in place (its identity and prototype stay): events feed `onEvent`;
 * the end records `cancelled` when the caller aborted, success after the provider's final event,
 * or `stream_error` when the stream ended without it; a rejection records the error; an early
 * `return()` (a `break`) before the final event records `cancelled`.
 */
export function observeIterator(
  iterator: unknown,
  call: LlmCallState,
  onEvent: (event: unknown, call: LlmCallState) => void,
  aborted: () => boolean,
  endIsCompletion = false,
): void {
  const it = iterator as { next?: unknown; return?: unknown } | null;
  const next = it?.next;
  if (typeof next !== 'function') return;
  // An abort wins over a complete stream: the SDK reports APIUserAbortError to the caller then.
  const finish = (): void => {
    if (aborted()) call.failWith('cancelled');
    else if (call.completed || endIsCompletion) call.end();
    else call.failWith('stream_error');
  };
  (it as { next: Fn }).next = function nextObserved(this: unknown, ...args: unknown[]): unknown {
    const result = Reflect.apply(next as Fn, this, args) as Promise<IteratorResult<unknown>>;
    if (!isThenable(result)) return result;
    return result.then(
      (step) => {
        try {
          if (step.done === true) finish();
          else onEvent(step.value, call);
        } catch {
          // An event of a surprising shape is skipped.
        }
        return step;
      },
      (error: unknown) => {
        call.fail(error, 'body');
        throw error;
      },
    );
  };
  const stop = it?.return;
  if (typeof stop === 'function') {
    (it as { return: Fn }).return = function returnObserved(this: unknown, ...args: unknown[]): unknown {
      if (!call.ended) {
        if (call.completed) call.end();
        else call.failWith('cancelled');
      }
      return Reflect.apply(stop as Fn, this, args);
    };
  }
}
