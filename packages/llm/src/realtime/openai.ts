import { AgentMeterConfigError, type TokenUsage } from '@agentmeter/core';
import { classifyLlmError } from '../classify.ts';
import { createRecorder, type LlmInstrumentOptions } from '../options.ts';
import type { LlmCallState } from '../recorder.ts';
import { detailedUsage, object } from '../usage.ts';
import { recordSessionError } from './session-error.ts';

type Fn = (...args: unknown[]) => unknown;

/** What this wrapper uses of the `openai` SDK's realtime clients (OpenAIRealtimeWS, OpenAIRealtimeWebSocket). */
interface RealtimeLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
  send(event: unknown): void;
  url?: URL | string;
  socket?: { on?(event: string, listener: () => void): unknown; addEventListener?(event: string, listener: () => void): unknown };
}

/** A realtime `response.done` usage: audio and text tokens in and out, cache reads. */
export function openAIRealtimeUsage(raw: unknown): TokenUsage | undefined {
  return detailedUsage(raw, { read: 'cached_tokens', inputAudio: 'audio_tokens', outputAudio: 'audio_tokens' });
}

const AUDIO_DELTAS = new Set(['response.output_audio.delta', 'response.audio.delta']);
const TEXT_DELTAS = new Set(['response.output_text.delta', 'response.text.delta', 'response.output_audio_transcript.delta', 'response.audio_transcript.delta']);
const END_OF_SPEECH = new Set(['input_audio_buffer.speech_stopped', 'input_audio_buffer.committed']);
const INTERRUPTING = new Set(['response.cancel', 'conversation.item.truncate']);

/**
 * Instruments an `openai` realtime client (`OpenAIRealtimeWS` or `OpenAIRealtimeWebSocket`) in place
 * and returns it: the session (count, duration, active), each response as an llm call (operation
 * `realtime`: latency, first audio or text, audio and text tokens, cost, errors), turn latency from
 * the end of user speech to the response's first audio, and interruptions (cancelled or truncated
 * responses). Events and the client's behaviour are unchanged.
 */
export function instrumentOpenAIRealtime<Client extends object>(client: Client, options: LlmInstrumentOptions): Client {
  const fn = 'instrumentOpenAIRealtime';
  const rt = client as unknown as RealtimeLike;
  if (typeof rt?.on !== 'function' || typeof rt.send !== 'function') {
    throw new AgentMeterConfigError(`${fn}: expected a realtime client (new OpenAIRealtimeWS({ model }) from "openai/realtime/ws"); got ${client === null ? 'null' : typeof client}`);
  }
  const { recorder, provider } = createRecorder(fn, options, 'openai');
  const { meter, clock } = recorder;
  let model: string | null = null;
  try {
    model = new URL(String(rt.url)).searchParams.get('model');
  } catch {
    // A client without a URL is labelled `unknown`.
  }
  const session = meter.startSession();
  const endSession = (): void => session.end();
  rt.socket?.on?.('close', endSession);
  rt.socket?.addEventListener?.('close', endSession);
  let call: LlmCallState | undefined;
  let speechEnded: number | undefined;
  let interrupted = false;

  const interrupt = (): void => {
    if (interrupted || call === undefined || call.ended) return;
    interrupted = true;
    meter.instruments.voiceInterruptions.add(1);
  };

  const onEvent = (event: unknown): void => {
    const e = object(event);
    const type = e?.type;
    if (typeof type !== 'string') return;
    if (END_OF_SPEECH.has(type)) {
      speechEnded ??= clock();
    } else if (type === 'response.created') {
      call = recorder.start(provider, model, 'realtime');
      interrupted = false;
    } else if (AUDIO_DELTAS.has(type)) {
      call?.outputChunk();
      if (speechEnded !== undefined) {
        meter.instruments.turnLatency.record((clock() - speechEnded) / 1000);
        speechEnded = undefined;
      }
    } else if (TEXT_DELTAS.has(type)) {
      call?.outputChunk();
    } else if (type === 'response.done') {
      const response = object(e?.response);
      if (call === undefined) return;
      call.usage = openAIRealtimeUsage(response?.usage);
      const status = response?.status;
      if (status === 'cancelled') interrupt();
      if (status === 'failed') call.fail({ error: object(object(response?.status_details)?.error) }, 'body');
      else call.end();
    } else if (type === 'error') {
      if (call !== undefined && !call.ended) call.fail(e, 'body');
      else {
        // Outside a response (a rejected client event): counted for the session's model.
        recordSessionError(recorder, provider, model, classifyLlmError(e, 'body'));
      }
    }
  };
  rt.on('event', (event: never) => {
    try {
      onEvent(event);
    } catch {
      // Recording never reaches the client.
    }
  });

  const send = rt.send as Fn;
  rt.send = function sendObserved(this: unknown, event: unknown): void {
    try {
      const type = object(event)?.type;
      if (typeof type === 'string' && INTERRUPTING.has(type)) interrupt();
    } catch {
      // The event is sent as it is.
    }
    Reflect.apply(send, this, [event]);
  };
  return client;
}
