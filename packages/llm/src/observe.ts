import { diag } from '@opentelemetry/api';
import {
  type ApiPromiseObserver,
  observeApiPromise as observeStainless,
  observeIterator,
} from '@agentmeter/core/internal';
import type { LlmCallState } from './recorder.ts';

/** What a wrapper does with a parsed JSON body, and with each stream event. */
export interface ResponseHandlers {
  /** Reads usage and the response model from a JSON body. */
  json(data: unknown, call: LlmCallState): void;
  /** Marks the first token, usage and completion from one stream event. */
  event(event: unknown, call: LlmCallState): void;
}

type Fn = (...args: unknown[]) => unknown;
interface StainlessStream {
  iterator?: unknown;
  controller?: { signal?: AbortSignal };
}

let warnedInternals = false;

/**
 * What the openai and @anthropic-ai/sdk wrappers observe of an APIPromise (the kit's
 * `observeApiPromise`), built once per wrapped method: a request failure, the parsed JSON body
 * or the stream it holds. The call is the context of each promise.
 */
export function callPromiseObserver(handlers: ResponseHandlers): ApiPromiseObserver<LlmCallState> {
  return {
    failed: (error, call) => call.fail(error, 'request'),
    parseFailed: (error, call) => call.fail(error, 'body'),
    parsed: (data, call) => observeParsed(data, call, handlers),
  };
}

/** Observes an APIPromise for one call without replacing it; an SDK whose promises cannot be observed gets one warning. */
export function observeApiPromise(
  promise: unknown,
  call: LlmCallState,
  observer: ApiPromiseObserver<LlmCallState>,
): void {
  if (!observeStainless(promise, observer, call) && !warnedInternals) {
    warnedInternals = true;
    diag.warn(
      "agentmeter: this LLM client version returns promises agentmeter cannot observe; its calls are not recorded (check @agentmeter/llm's supported versions)",
    );
  }
}

function observeParsed(data: unknown, call: LlmCallState, handlers: ResponseHandlers): void {
  try {
    const stream = data as StainlessStream | null;
    if (typeof stream?.iterator === 'function' && typeof stream.controller === 'object') {
      observeStream(stream, call, handlers.event, () => stream.controller?.signal?.aborted === true);
      return;
    }
    handlers.json(data, call);
  } catch {
    // A surprising body shape loses its usage, never the caller's data.
  }
  call.end();
}

/** Replaces a stream's iterator factory so whoever iterates it (for await, tee, toReadableStream) is observed. */
function observeStream(
  stream: StainlessStream,
  call: LlmCallState,
  onEvent: ResponseHandlers['event'],
  aborted: () => boolean,
): void {
  const original = stream.iterator as Fn;
  stream.iterator = function iteratorObserved(this: unknown, ...args: unknown[]): unknown {
    const iterator = Reflect.apply(original, this, args);
    try {
      observeCallIterator(iterator, call, onEvent, aborted);
    } catch {
      // An iterator that cannot be patched (frozen, say) is returned unobserved.
    }
    return iterator;
  };
}

/**
 * Observes an async iterator in place for one LLM call (the kit's `observeIterator`): events
 * feed `onEvent`; the end records `cancelled` when the caller aborted, success after the
 * provider's final event, or `stream_error` when the stream ended without it; a rejection
 * records the error; an early `return()` (a `break`) before the final event records `cancelled`.
 */
export function observeCallIterator(
  iterator: unknown,
  call: LlmCallState,
  onEvent: (event: unknown, call: LlmCallState) => void,
  aborted: () => boolean,
  endIsCompletion = false,
): void {
  observeIterator(iterator, {
    item: (event) => onEvent(event, call),
    // An abort wins over a complete stream: the SDK reports APIUserAbortError to the caller then.
    done: () => {
      if (aborted()) call.failWith('cancelled');
      else if (call.completed || endIsCompletion) call.end();
      else call.failWith('stream_error');
    },
    error: (error) => call.fail(error, 'body'),
    returned: () => {
      if (call.completed) call.end();
      else call.failWith('cancelled');
    },
  });
}
