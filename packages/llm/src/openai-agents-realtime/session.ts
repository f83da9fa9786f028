import { AgentMeterConfigError, type Session as MeterSession } from '@agentmeter/core';
import { claimClient } from '@agentmeter/core/internal';
import { classifyLlmError } from '../classify.ts';
import { createRecorder, type LlmInstrumentOptions } from '../options.ts';
import { observeOpenAIRealtime } from '../realtime/openai-events.ts';
import { quiet } from '../quiet.ts';
import { object } from '../usage.ts';

type Listener = (...args: never[]) => void;

/** What this wrapper uses of an `@openai/agents-realtime` RealtimeSession and its transport. */
interface SessionLike {
  on(event: string, listener: Listener): unknown;
  readonly transport: {
    on(event: string, listener: Listener): unknown;
    readonly status?: unknown;
    readonly currentModel?: unknown;
  };
}

function isSession(value: unknown): value is SessionLike {
  const session = value as SessionLike | null;
  return (
    typeof session === 'object' &&
    session !== null &&
    typeof session.on === 'function' &&
    typeof session.transport === 'object' &&
    session.transport !== null &&
    typeof session.transport.on === 'function'
  );
}

/**
 * Instruments an `@openai/agents-realtime` `RealtimeSession` in place and returns it, through the
 * session's own events (nothing is patched): each connection of its transport as a session (count,
 * duration, active), each model response as an llm call (operation `realtime`: latency, first audio
 * or text, audio and text tokens, cost, failures), turn latency from the end of user speech to the
 * response's first audio, interruptions (`audio_interrupted`, or a response cancelled by the
 * server), and errors (server `error` events, failed responses, socket failures). Call it before or after `connect()`; calling it again on the
 * same session changes nothing.
 */
export function instrumentRealtimeSession<Session extends object>(
  session: Session,
  options: LlmInstrumentOptions,
): Session {
  const fn = 'instrumentRealtimeSession';
  if (!isSession(session)) {
    throw new AgentMeterConfigError(
      `${fn}: expected a RealtimeSession (new RealtimeSession(agent) from "@openai/agents-realtime"); got ${session === null ? 'null' : typeof session}`,
    );
  }
  const { recorder, provider } = createRecorder(fn, options, 'openai');
  if (!claimClient(session, fn, options)) return session;
  const { transport } = session;
  const model = (): string | null => {
    const current = transport.currentModel;
    return typeof current === 'string' ? current : null;
  };
  const observer = observeOpenAIRealtime(recorder, provider, model);
  let connection: MeterSession | undefined;

  const onStatus = quiet((status: unknown): void => {
    if (status === 'connected' && connection === undefined) connection = recorder.meter.startSession();
    if (status === 'disconnected' && connection !== undefined) {
      connection.end();
      connection = undefined;
    }
  });
  onStatus(transport.status);
  transport.on('connection_change', onStatus as Listener);
  session.on('transport_event', quiet(observer.onEvent) as Listener);
  session.on('audio_interrupted', quiet(observer.interrupt) as Listener);
  // The transport's errors, not the session's: a listener on the session's own `error` would keep
  // node's EventEmitter from throwing an error the host does not listen for.
  transport.on(
    'error',
    quiet((event: unknown) => {
      const error = object(event)?.error;
      // A server `error` event (parsed JSON) also arrives as a transport event, where the observer
      // counted it; a socket's ErrorEvent has that type too, but is no plain object.
      if (object(error)?.type === 'error' && Object.getPrototypeOf(error) === Object.prototype) return;
      // A socket failure comes as the socket's ErrorEvent, carrying the Error.
      const cause = object(error)?.error ?? error;
      recorder.meter.trackError(classifyLlmError(cause, 'request'), { component: 'realtime' });
    }) as Listener,
  );
  return session;
}
