import { AgentMeterConfigError, type ErrorType, type Session } from '@agentmeter/core';
import { claimClient } from '@agentmeter/core/internal';
import { classifyLlmError } from '../classify.ts';
import { toolLabel } from '../labels.ts';
import { createRecorder, type LlmInstrumentOptions } from '../options.ts';
import { patchMethod } from '../patch.ts';
import type { LlmCallState, LlmRecorder } from '../recorder.ts';
import { object } from '../usage.ts';
import { geminiCloseErrorType, geminiLiveUsage, readLiveMessage } from './gemini-live-parts.ts';
import { recordSessionError } from './session-error.ts';

type Fn = (...args: unknown[]) => unknown;
type Callbacks = Record<string, Fn | undefined> | null | undefined;

/** Runs a recording step; its failure never reaches the client. */
function guarded(record: () => void): void {
  try {
    record();
  } catch {
    // Recording never reaches the client.
  }
}

/** One Live session's recording: its meter session, the model turn in flight, the end of the user's turn. */
class LiveSessionObserver {
  readonly #recorder: LlmRecorder;
  readonly #provider: string;
  readonly #model: string | null;
  #session: Session | undefined;
  #call: LlmCallState | undefined;
  /** When the user's turn ended (clock ms), until the next model audio. */
  #speechEnded: number | undefined;
  #interrupted = false;
  #opened = false;
  /** An error event already counted the failure the close that follows reports. */
  #errored = false;
  #goAway = false;

  constructor(recorder: LlmRecorder, provider: string, model: string | null) {
    this.#recorder = recorder;
    this.#provider = provider;
    this.#model = model;
  }

  /** The SDK's callbacks, observed: ours record first, then the caller's run exactly as the SDK would call them. */
  callbacks(user: Callbacks): Record<string, Fn> {
    return {
      onopen: () => {
        guarded(() => (this.#opened = true));
        return user?.onopen?.call(user);
      },
      // The SDK calls `callbacks.onmessage(msg)` unguarded: a missing one fails the same way here.
      onmessage: (message: unknown) => {
        // Inline rather than through `guarded`: no closure per message on the hot path.
        try {
          this.#message(message);
        } catch {
          // Recording never reaches the client.
        }
        return (user as Record<string, Fn>).onmessage!.call(user, message);
      },
      onerror: (event: unknown) => {
        guarded(() => this.#error(event));
        return user?.onerror?.call(user, event);
      },
      onclose: (event: unknown) => {
        guarded(() => this.#close(event));
        return user?.onclose?.call(user, event);
      },
    };
  }

  /** Observes what the caller sends on the connected session: the end of each user turn. */
  observeSession(session: unknown): void {
    const turnEnded = (): void => this.userTurnEnded();
    const watch = (method: string, endsTurn: (params: Record<string, unknown> | null | undefined) => boolean): void => {
      patchMethod(
        session,
        [method],
        (original) =>
          function sendObserved(this: unknown, ...args: unknown[]): unknown {
            try {
              if (endsTurn(object(args[0]))) turnEnded();
            } catch {
              // The message is sent as it is.
            }
            return Reflect.apply(original, this, args);
          },
      );
    };
    // clientContent ends the user's turn unless turnComplete is false (the SDK's default is true).
    watch('sendClientContent', (params) => params?.turnComplete !== false);
    watch(
      'sendRealtimeInput',
      (params) =>
        (params?.activityEnd !== undefined && params.activityEnd !== null) ||
        params?.audioStreamEnd === true ||
        typeof params?.text === 'string',
    );
  }

  userTurnEnded(): void {
    this.#speechEnded ??= this.#recorder.clock();
    this.#ensureCall();
  }

  #ensureCall(): LlmCallState {
    if (this.#call === undefined || this.#call.ended) {
      this.#call = this.#recorder.start(this.#provider, this.#model, 'realtime');
      this.#interrupted = false;
    }
    return this.#call;
  }

  #message(message: unknown): void {
    const facts = readLiveMessage(message);
    // The session counts from the server's setupComplete: a refused setup is an error, not a session.
    if (facts.setupComplete) this.#session ??= this.#recorder.meter.startSession();
    if (facts.speechEnded) this.userTurnEnded();
    if (facts.goAway) this.#goAway = true;
    if (facts.audioParts > 0) {
      this.#ensureCall().outputChunk();
      if (this.#speechEnded !== undefined) {
        this.#recorder.meter.instruments.turnLatency.record((this.#recorder.clock() - this.#speechEnded) / 1000);
        this.#speechEnded = undefined;
      }
    }
    if (facts.textParts > 0) this.#ensureCall().outputChunk();
    for (const name of facts.toolNames) this.#ensureCall().toolCall(toolLabel(name));
    if (facts.interrupted && !this.#interrupted && this.#call !== undefined && !this.#call.ended) {
      this.#interrupted = true;
      this.#recorder.meter.instruments.voiceInterruptions.add(1);
    }
    if (facts.usage !== undefined && this.#call !== undefined && !this.#call.ended) {
      // Each report covers the turn so far: the last one of the turn wins.
      this.#call.usage = geminiLiveUsage(facts.usage) ?? this.#call.usage;
    }
    if (facts.turnComplete) {
      this.#call?.end();
      this.#speechEnded = undefined;
    }
  }

  #fail(errorType: ErrorType): void {
    const call = this.#call;
    if (call !== undefined && !call.ended) call.failWith(errorType);
    else recordSessionError(this.#recorder, this.#provider, this.#model, errorType);
  }

  #error(event: unknown): void {
    if (this.#errored) return;
    this.#errored = true;
    const e = object(event);
    this.#fail(classifyLlmError(e?.error ?? event, this.#opened ? 'body' : 'request'));
  }

  #close(event: unknown): void {
    const e = object(event);
    if (!this.#errored) {
      const errorType = geminiCloseErrorType(e?.code, e?.reason, this.#opened, this.#goAway);
      if (errorType !== undefined) this.#fail(errorType);
    }
    // A model turn still open at a normal close was cut off by the caller.
    if (this.#call !== undefined && !this.#call.ended) this.#call.failWith('cancelled');
    this.#session?.end();
  }
}

/** `models/gemini-live-2.5-flash-preview` and `gemini-live-2.5-flash-preview` are the same model. */
function modelOf(params: Record<string, unknown>): string | null {
  const model = params.model;
  if (typeof model !== 'string' || model === '') return null;
  return model.startsWith('models/') ? model.slice(7) : model;
}

/** `ai.live` from a GoogleGenAI client or the `live` module itself, and whether it talks to Vertex AI. */
function liveOf(target: unknown): { live: object; vertex: boolean } | undefined {
  const t = object(target);
  if (typeof t?.connect === 'function') {
    let vertex = false;
    try {
      vertex = (object(t.apiClient)?.isVertexAI as (() => unknown) | undefined)?.call(t.apiClient) === true;
    } catch {
      // Labelled as the Gemini API.
    }
    return { live: t, vertex };
  }
  const live = object(t?.live);
  if (typeof live?.connect === 'function') return { live, vertex: t?.vertexai === true };
  return undefined;
}

/**
 * Instruments `@google/genai` Live sessions in place and returns what it was given: pass the
 * client (`new GoogleGenAI()`) or its `live` module. Every session `live.connect()` opens is
 * recorded on the voice families: the session (count, duration, active), each model turn as an llm
 * call (operation `realtime`: latency, first audio or text, audio and text tokens from
 * `usageMetadata`, cost, tool calls, errors from the close code), turn latency from the end of the
 * user's turn to the model's first audio, and interruptions. The session, its messages and the
 * caller's callbacks are unchanged.
 */
export function instrumentGeminiLive<Target extends object>(target: Target, options: LlmInstrumentOptions): Target {
  const fn = 'instrumentGeminiLive';
  const found = liveOf(target);
  if (found === undefined) {
    throw new AgentMeterConfigError(
      `${fn}: expected a GoogleGenAI client (new GoogleGenAI() from "@google/genai") or its "live" module (ai.live); got ${target === null ? 'null' : typeof target}`,
    );
  }
  const { live, vertex } = found;
  const { recorder, provider } = createRecorder(
    fn,
    options,
    vertex ? 'google_vertex' : 'google',
    vertex ? 'gcp.vertex_ai' : undefined,
  );
  if (!claimClient(live, fn, options)) return target;
  patchMethod(
    live,
    ['connect'],
    (original) =>
      function connectObserved(this: unknown, params: unknown): unknown {
        let observer: LiveSessionObserver | undefined;
        let observed: unknown = params;
        try {
          const p = object(params);
          if (p !== undefined && p !== null) {
            observer = new LiveSessionObserver(recorder, provider, modelOf(p));
            observed = { ...p, callbacks: observer.callbacks(p.callbacks as Callbacks) };
          }
        } catch {
          observer = undefined;
          observed = params;
        }
        const result = Reflect.apply(original, this, [observed]);
        if (observer !== undefined && result instanceof Promise) {
          const watching = observer;
          // The caller gets the SDK's own promise; this reaction runs before theirs.
          result.then(
            (session: unknown) => {
              try {
                watching.observeSession(session);
              } catch {
                // The session works unobserved.
              }
            },
            () => undefined,
          );
        }
        return result;
      },
  );
  return target;
}
