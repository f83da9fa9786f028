import type { TokenUsage } from '@agentmeter/core';
import { AgentMeterConfigError } from '@agentmeter/core';
import { claimClient, rewrapped } from '@agentmeter/core/internal';
import { observeCallIterator } from './observe.ts';
import { createRecorder, type LlmInstrumentOptions } from './options.ts';
import type { LlmCallState } from './recorder.ts';

/** What one stream chunk of a custom client carries. */
export interface LlmChunkInfo {
  /** The chunk carries content: the first such chunk records time to first token. */
  readonly content?: boolean;
  /** Usage reported so far (the last one reported wins). */
  readonly usage?: TokenUsage;
}

export interface LlmFunctionOptions<Args extends unknown[], Result> extends LlmInstrumentOptions {
  /** The provider label (required: a custom client has no default). */
  readonly provider: string;
  /** The model label, fixed or read from the call's arguments (never from prompt text). */
  readonly model: string | ((...args: Args) => unknown);
  /** The operation label (default `chat`). */
  readonly operation?: string;
  /** Reads the provider-reported usage from a (non-streamed) result. */
  readonly usage?: (result: Awaited<Result>) => TokenUsage | undefined;
  /**
   * For functions whose result is an async iterable (a stream): what each chunk carries. With
   * it, the call lasts until the stream ends; a `break` before the end records `cancelled`.
   */
  readonly chunk?: (chunk: unknown) => LlmChunkInfo | undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** Records a settled result; never throws (it also runs inside a promise side chain). */
function settle<Result>(value: unknown, call: LlmCallState, options: LlmFunctionOptions<never, Result>): void {
  try {
    if (observeStreamResult(value, call, options)) return;
  } catch {
    // A result that cannot be observed as a stream is recorded as a plain call.
  }
  try {
    call.usage = options.usage?.(value as Awaited<Result>);
  } catch {
    // A usage reader that throws loses the usage, never the result.
  }
  call.end();
}

/** For a streamed result (with the `chunk` option), defers the record to the end of iteration. */
function observeStreamResult<Result>(
  value: unknown,
  call: LlmCallState,
  options: LlmFunctionOptions<never, Result>,
): boolean {
  const iterable = value as { [Symbol.asyncIterator]?: unknown } | null;
  const { chunk } = options;
  if (chunk !== undefined && typeof iterable?.[Symbol.asyncIterator] === 'function') {
    const factory = iterable[Symbol.asyncIterator] as () => unknown;
    // Observes whichever iterator the caller opens, leaving the result object itself in place.
    (iterable as Record<symbol, unknown>)[Symbol.asyncIterator] = function iteratorObserved(this: unknown): unknown {
      const iterator = Reflect.apply(factory, this, []);
      try {
        observeCallIterator(
          iterator,
          call,
          (item, state) => {
            const info = chunk(item);
            if (info?.content === true) state.outputChunk();
            if (info?.usage !== undefined) state.usage = info.usage;
          },
          () => false,
          true,
        );
      } catch {
        // An iterator that cannot be patched is returned unobserved.
      }
      return iterator;
    };
    return true;
  }
  return false;
}

/**
 * Instruments any function that calls an LLM (a client this package has no wrapper for, a raw
 * fetch): returns a function with the same signature that records latency, tokens, cost and
 * errors, and for streams time to first token.
 */
export function instrumentLlmFunction<Args extends unknown[], Result>(
  fn: (...args: Args) => Result,
  options: LlmFunctionOptions<Args, Result>,
): (...args: Args) => Result {
  const name = 'instrumentLlmFunction';
  if (typeof fn !== 'function')
    throw new AgentMeterConfigError(
      `${name}: expected the function that calls the LLM; got ${fn === null ? 'null' : typeof fn}`,
    );
  if (typeof options?.provider !== 'string') {
    throw new AgentMeterConfigError(
      `${name}: options.provider is required for a custom client, e.g. { provider: 'cohere', model: 'command-r', meter }`,
    );
  }
  const { model } = options;
  if (typeof model !== 'string' && typeof model !== 'function') {
    throw new AgentMeterConfigError(
      `${name}: options.model must be a model name or a function of the call's arguments; got ${model === null ? 'null' : typeof model}`,
    );
  }
  for (const key of ['usage', 'chunk'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') {
      throw new AgentMeterConfigError(`${name}: options.${key} must be a function; got ${typeof options[key]}`);
    }
  }
  // A function this wrapper made is returned as it is: wrapping twice changes nothing a scrape sees.
  if (rewrapped(fn, name, options)) return fn;
  const { recorder, provider } = createRecorder(name, options, options.provider);
  const operation = typeof options.operation === 'string' ? options.operation : 'chat';
  const observed = function llmFunctionObserved(this: unknown, ...args: Args): Result {
    let call: LlmCallState;
    try {
      call = recorder.start(provider, typeof model === 'string' ? model : model(...args), operation);
    } catch {
      return Reflect.apply(fn, this, args);
    }
    let result: Result;
    try {
      result = Reflect.apply(fn, this, args);
    } catch (error) {
      call.fail(error, 'request');
      throw error;
    }
    try {
      if (isThenable(result)) {
        result.then(
          (value) => settle(value, call, options),
          (error: unknown) => call.fail(error, 'request'),
        );
      } else {
        settle(result, call, options);
      }
    } catch {
      // A result whose `then` cannot be read (a throwing getter) goes unrecorded; the caller still gets it.
    }
    return result;
  };
  claimClient(observed, name, options);
  return observed;
}
