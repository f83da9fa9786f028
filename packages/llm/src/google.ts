import { type ErrorType } from '@agentmeter/core';
import { claimClient } from '@agentmeter/core/internal';
import { classifyLlmError, type FailurePhase } from './classify.ts';
import { observeCallIterator } from './observe.ts';
import { createRecorder, type LlmInstrumentOptions } from './options.ts';
import { type MethodPath, patchMethod, requireMethods } from './patch.ts';
import type { LlmCallState, LlmRecorder } from './recorder.ts';
import { googleUsage } from './usage.ts';

type Fn = (...args: unknown[]) => unknown;
type Loose = Record<string, unknown>;

function read(value: unknown, key: string): unknown {
  try {
    return typeof value === 'object' && value !== null ? (value as Loose)[key] : undefined;
  } catch {
    return undefined;
  }
}

/** `models/gemini-2.5-flash` and `gemini-2.5-flash` are the same model. */
function modelOf(params: unknown): unknown {
  const model = read(params, 'model');
  return typeof model === 'string' && model.startsWith('models/') ? model.slice(7) : model;
}

function isAbortError(error: unknown): boolean {
  return read(error, 'name') === 'AbortError';
}

/**
 * The Google SDK aborts a request for both its own `httpOptions.timeout` and the caller's
 * `abortSignal`, with the same AbortError: the caller's signal tells them apart.
 */
function errorType(error: unknown, signal: AbortSignal | undefined, phase: FailurePhase): ErrorType {
  if (isAbortError(error)) return signal?.aborted === true ? 'cancelled' : 'timeout';
  return classifyLlmError(error, phase);
}

/** Reads one response (or stream chunk): first content (for streams), completion, usage, model. */
function onResponse(response: unknown, call: LlmCallState, streamed = true): void {
  const candidates = read(response, 'candidates');
  if (Array.isArray(candidates)) {
    for (const candidate of candidates) {
      const parts = read(read(candidate, 'content'), 'parts');
      if (
        streamed &&
        Array.isArray(parts) &&
        parts.some((part) => {
          const text = read(part, 'text');
          return (typeof text === 'string' && text !== '') || read(part, 'functionCall') !== undefined;
        })
      ) {
        call.outputChunk();
      }
      if (typeof read(candidate, 'finishReason') === 'string') call.completed = true;
    }
  }
  if (read(read(response, 'promptFeedback'), 'blockReason') !== undefined) call.completed = true;
  const usage = googleUsage(read(response, 'usageMetadata'));
  if (usage !== undefined) call.usage = usage;
  const version = read(response, 'modelVersion');
  if (typeof version === 'string') call.responseModel = version;
}

function wrapGenerate(recorder: LlmRecorder, provider: string, streamed: boolean): (original: Fn) => Fn {
  return (original) =>
    function generateObserved(this: unknown, ...args: unknown[]): unknown {
      let call: LlmCallState;
      let signal: AbortSignal | undefined;
      try {
        call = recorder.start(provider, modelOf(args[0]), 'generate_content');
        signal = read(read(args[0], 'config'), 'abortSignal') as AbortSignal | undefined;
      } catch {
        return Reflect.apply(original, this, args);
      }
      let result: Promise<unknown>;
      try {
        result = Reflect.apply(original, this, args) as Promise<unknown>;
      } catch (error) {
        call.fail(error, 'request');
        throw error;
      }
      // A side chain: the caller keeps the SDK's own promise, and sees its rejection unchanged.
      Promise.resolve(result).then(
        (value) => {
          if (!streamed) {
            try {
              onResponse(value, call, false);
            } catch {
              // A surprising response shape loses its usage, never the caller's data.
            }
            call.end();
            return;
          }
          try {
            // Inner patch first: an AbortError is classified before the generic handler sees it.
            patchStreamErrors(value, call, signal);
            observeCallIterator(value, call, onResponse, () => signal?.aborted === true);
          } catch {
            // A stream object that cannot be patched is left unobserved.
          }
        },
        (error: unknown) => call.failWith(errorType(error, signal, 'request')),
      );
      return result;
    };
}

/** Classifies a stream's AbortError as timeout or cancelled before the generic handler sees it. */
function patchStreamErrors(iterator: unknown, call: LlmCallState, signal: AbortSignal | undefined): void {
  const it = iterator as { next?: Fn } | null;
  const next = it?.next;
  if (typeof next !== 'function') return;
  (it as { next: Fn }).next = function nextClassified(this: unknown, ...args: unknown[]): unknown {
    return (Reflect.apply(next, this, args) as Promise<unknown>).catch((error: unknown) => {
      if (isAbortError(error)) call.failWith(errorType(error, signal, 'body'));
      throw error;
    });
  };
}

const METHODS: readonly (readonly [MethodPath, boolean])[] = [
  [['models', 'generateContent'], false],
  [['models', 'generateContentStream'], true],
];

/**
 * Instruments a `@google/genai` client (`new GoogleGenAI()`) in place and returns it:
 * models.generateContent and models.generateContentStream (chats use them too). The provider label
 * is `google` for the Gemini API and `google_vertex` for a Vertex AI client (`vertexai: true`).
 */
export function instrumentGoogleGenAI<Client extends object>(client: Client, options: LlmInstrumentOptions): Client {
  const fn = 'instrumentGoogleGenAI';
  const present = requireMethods(
    fn,
    client,
    METHODS.map(([path]) => path),
    'a GoogleGenAI client (new GoogleGenAI() from the "@google/genai" package)',
  );
  // Vertex AI and the Gemini API bill separately: a Vertex client gets its own provider label, and
  // the GenAI conventions' name for it.
  const vertex = (client as { vertexai?: unknown }).vertexai === true;
  const { recorder, provider } = createRecorder(
    fn,
    options,
    vertex ? 'google_vertex' : 'google',
    vertex ? 'gcp.vertex_ai' : undefined,
  );
  if (!claimClient(client, fn, options)) return client;
  for (const [path, streamed] of METHODS) {
    if (present.includes(path)) patchMethod(client, path, wrapGenerate(recorder, provider, streamed));
  }
  return client;
}
