import { AgentMeterConfigError, type Session as MeterSession } from '@agentmeter/core';
import { claimClient, wrap } from '@agentmeter/core/internal';
import { classifyLlmError } from '../classify.ts';
import { createRecorder, type LlmInstrumentOptions } from '../options.ts';
import { quiet } from '../quiet.ts';
import { object } from '../usage.ts';
import { LiveKitMetricsRecorder, modelLabels } from './metrics.ts';
import { performance } from 'node:perf_hooks';

type Listener = (...args: never[]) => void;
type Emit = (event: string | symbol, ...args: unknown[]) => boolean;

/** What this wrapper uses of a `@livekit/agents` `voice.AgentSession`. */
interface AgentSessionLike {
  on(event: string, listener: Listener): unknown;
  emit: Emit;
  readonly started?: unknown;
}

function isAgentSession(value: unknown): value is AgentSessionLike {
  const session = value as AgentSessionLike | null;
  return (
    typeof session === 'object' &&
    session !== null &&
    typeof session.on === 'function' &&
    typeof session.emit === 'function'
  );
}

/** The family and component of each LiveKit error type. */
const ERROR_FAMILIES: Readonly<Record<string, 'llm' | 'tts' | 'stt' | 'realtime'>> = {
  llm_error: 'llm',
  tts_error: 'tts',
  stt_error: 'stt',
  realtime_model_error: 'realtime',
};

/**
 * Instruments a `@livekit/agents` `voice.AgentSession` in place and returns it: its
 * `metrics_collected` events become agentmeter's catalog series (LLM latency, time to first token,
 * tokens and cost; TTS latency, time to first audio, characters, audio seconds and cost; STT latency
 * and audio seconds; realtime model responses; turn latency from end of utterance + first token +
 * first audio byte of the same reply; interruptions), its start and close a session, and its
 * `error` events the error counters. Calling it again on the same session changes nothing.
 */
export function instrumentLiveKitSession<Session extends object>(
  session: Session,
  options: LlmInstrumentOptions,
): Session {
  const fn = 'instrumentLiveKitSession';
  if (!isAgentSession(session)) {
    throw new AgentMeterConfigError(
      `${fn}: expected an AgentSession (new voice.AgentSession({ ... }) from "@livekit/agents"); got ${session === null ? 'null' : typeof session}`,
    );
  }
  const checked = createRecorder(fn, options, 'unknown').recorder;
  if (!claimClient(session, fn, options)) return session;
  const metrics = new LiveKitMetricsRecorder(
    checked,
    options.provider,
    options.clock ?? ((): number => performance.now()),
  );
  const { meter, attributes } = checked;

  let live: MeterSession | undefined;
  const start = quiet(() => {
    live ??= meter.startSession();
  });
  if (session.started === true) start();
  session.on(
    'agent_state_changed',
    quiet((event: unknown) => {
      if (object(event)?.oldState === 'initializing') start();
    }) as Listener,
  );
  session.on(
    'close',
    quiet(() => {
      live?.end();
      live = undefined;
    }) as Listener,
  );
  session.on('metrics_collected', quiet((event: unknown) => metrics.record(object(event)?.metrics)) as Listener);

  const onError = quiet((event: unknown) => {
    const e = object(event);
    const error = object(e?.error);
    const family = ERROR_FAMILIES[String(error?.type)];
    if (family === undefined) return;
    const source = object(e?.source);
    const labels = modelLabels({ modelProvider: source?.provider, modelName: source?.model }, options.provider);
    const errorType = classifyLlmError(error?.error, 'request');
    const i = meter.instruments;
    if (family === 'tts') i.ttsErrors.add(1, { ...labels, error_type: errorType });
    else if (family === 'stt') i.sttErrors.add(1, { ...labels, error_type: errorType });
    else i.llmErrors.add(1, { ...attributes, ...labels, error_type: errorType });
    i.errors.add(1, { error_type: errorType, component: family });
  });
  // The session's `error` events are observed at `emit`, not with a listener: node's EventEmitter
  // throws an `error` nobody listens for, and a listener of ours would silence that.
  wrap(
    session,
    'emit',
    (emit) =>
      function emitObserved(this: unknown, ...args: unknown[]): unknown {
        if (args[0] === 'error') onError(args[1]);
        return Reflect.apply(emit, this, args);
      },
  );
  return session;
}
