import type { TokenUsage } from '@agentmeter/core';
import { classifyLlmError } from '../classify.ts';
import type { LlmCallState, LlmRecorder } from '../recorder.ts';
import { detailedUsage, object } from '../usage.ts';
import { recordSessionError } from './session-error.ts';

/** A realtime `response.done` usage: audio and text tokens in and out, cache reads. */
export function openAIRealtimeUsage(raw: unknown): TokenUsage | undefined {
  return detailedUsage(raw, { read: 'cached_tokens', inputAudio: 'audio_tokens', outputAudio: 'audio_tokens' });
}

const AUDIO_DELTAS = new Set(['response.output_audio.delta', 'response.audio.delta']);
const TEXT_DELTAS = new Set([
  'response.output_text.delta',
  'response.text.delta',
  'response.output_audio_transcript.delta',
  'response.audio_transcript.delta',
]);
const END_OF_SPEECH = new Set(['input_audio_buffer.speech_stopped', 'input_audio_buffer.committed']);

/** Records one OpenAI Realtime session's server events; shared by the openai SDK and agents SDK wrappers. */
export interface OpenAIRealtimeObserver {
  /** A server event as the API sent it (`{ type: 'response.created', ... }`). Never throws. */
  onEvent(event: unknown): void;
  /**
   * The client cancelled or truncated the latest response: one interruption per response, also
   * after its `response.done` (audio still playing when the user spoke). Never throws.
   */
  interrupt(): void;
}

/**
 * Each response becomes an llm call (operation `realtime`: latency, first audio or text, audio and
 * text tokens, cost, failures); the end of user speech to the next response's first audio is a turn
 * latency; a server `error` outside a response is counted for the session's model. `model` is read
 * when a response starts.
 */
export function observeOpenAIRealtime(
  recorder: LlmRecorder,
  provider: string,
  model: () => string | null,
): OpenAIRealtimeObserver {
  const { meter, clock } = recorder;
  let call: LlmCallState | undefined;
  let speechEnded: number | undefined;
  let interrupted = false;

  const interrupt = (): void => {
    if (interrupted || call === undefined) return;
    interrupted = true;
    try {
      meter.instruments.voiceInterruptions.add(1);
    } catch {
      // Recording never reaches the client.
    }
  };

  const record = (event: unknown): void => {
    const e = object(event);
    const type = e?.type;
    if (typeof type !== 'string') return;
    if (END_OF_SPEECH.has(type)) {
      speechEnded ??= clock();
    } else if (type === 'response.created') {
      call = recorder.start(provider, model(), 'realtime');
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
      if (call === undefined || call.ended) return;
      call.usage = openAIRealtimeUsage(response?.usage);
      const status = response?.status;
      if (status === 'cancelled') interrupt();
      if (status === 'failed') call.fail({ error: object(object(response?.status_details)?.error) }, 'body');
      else call.end();
    } else if (type === 'error') {
      if (call !== undefined && !call.ended) call.fail(e, 'body');
      else {
        // Outside a response (a rejected client event): counted for the session's model.
        recordSessionError(recorder, provider, model(), classifyLlmError(e, 'body'));
      }
    }
  };

  return {
    onEvent(event) {
      try {
        record(event);
      } catch {
        // Recording never reaches the client.
      }
    },
    interrupt,
  };
}
