import { callPromiseObserver, observeApiPromise, type ResponseHandlers } from './observe.ts';
import type { LlmRecorder } from './recorder.ts';

type Fn = (...args: unknown[]) => unknown;

function modelOf(body: unknown): unknown {
  try {
    return typeof body === 'object' && body !== null ? (body as { model?: unknown }).model : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Wraps a `create(body, options)` method of the openai or @anthropic-ai/sdk clients: times the
 * call and observes the APIPromise it returns, which is handed back to the caller unchanged.
 */
export function wrapCreate(
  recorder: LlmRecorder,
  provider: string,
  operation: string,
  handlers: ResponseHandlers,
): (original: Fn) => Fn {
  const observer = callPromiseObserver(handlers);
  return (original) =>
    function createObserved(this: unknown, ...args: unknown[]): unknown {
      let call;
      try {
        call = recorder.start(provider, modelOf(args[0]), operation);
      } catch {
        return Reflect.apply(original, this, args);
      }
      let result: unknown;
      try {
        result = Reflect.apply(original, this, args);
      } catch (error) {
        call.fail(error, 'request');
        throw error;
      }
      try {
        observeApiPromise(result, call, observer);
      } catch {
        // Observation failing must not change what the caller gets.
      }
      return result;
    };
}
