import { AgentMeterConfigError } from '@agentmeter/core';
import { claimClient, wrap } from '@agentmeter/core/internal';
import { createRecorder, type LlmInstrumentOptions } from '../options.ts';
import { object } from '../usage.ts';
import { observeOpenAIRealtime } from './openai-events.ts';

export { openAIRealtimeUsage } from './openai-events.ts';

const INTERRUPTING = new Set(['response.cancel', 'conversation.item.truncate']);

/** What this wrapper uses of the `openai` SDK's realtime clients (OpenAIRealtimeWS, OpenAIRealtimeWebSocket). */
interface RealtimeLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
  send(event: unknown): void;
  url?: URL | string;
  socket?: {
    on?(event: string, listener: () => void): unknown;
    addEventListener?(event: string, listener: () => void): unknown;
  };
}

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
    throw new AgentMeterConfigError(
      `${fn}: expected a realtime client (new OpenAIRealtimeWS({ model }) from "openai/realtime/ws"); got ${client === null ? 'null' : typeof client}`,
    );
  }
  const { recorder, provider } = createRecorder(fn, options, 'openai');
  if (!claimClient(client, fn, options)) return client;
  let model: string | null = null;
  try {
    model = new URL(String(rt.url)).searchParams.get('model');
  } catch {
    // A client without a URL is labelled `unknown`.
  }
  const session = recorder.meter.startSession();
  const endSession = (): void => session.end();
  rt.socket?.on?.('close', endSession);
  rt.socket?.addEventListener?.('close', endSession);
  const observer = observeOpenAIRealtime(recorder, provider, () => model);
  rt.on('event', (event: never) => observer.onEvent(event));

  wrap(
    rt,
    'send',
    (send) =>
      function sendObserved(this: unknown, event: unknown): void {
        try {
          const type = object(event)?.type;
          if (typeof type === 'string' && INTERRUPTING.has(type)) observer.interrupt();
        } catch {
          // The event is sent as it is.
        }
        Reflect.apply(send, this, [event]);
      },
  );
  return client;
}
