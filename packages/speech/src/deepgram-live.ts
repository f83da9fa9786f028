import { classifyStatus } from '@agentmeter/core';
import { errorTypeOfClose, modelOf, normalizeError, readFields } from './calls.ts';
import { safely as safe, wrapBound } from '@agentmeter/core/internal';
import type { SpeechRuntime } from './options.ts';

/** What the wrapper reads from the socket's events (message data, close code and reason, error message). */
interface SocketEvent {
  data?: unknown;
  code?: number;
  reason?: string;
  message?: string;
}
interface LiveSocket {
  socket?: { addEventListener(type: string, listener: (event: SocketEvent) => void): void };
  connect?: () => unknown;
}
interface ResultsMessage {
  type?: unknown;
  is_final?: unknown;
  start?: unknown;
  duration?: unknown;
}

/**
 * Meters a live Deepgram socket (`listen.v1.connect()`) in place. A session is one STT request,
 * counted when it ends: success after `CloseStream` and the final `Metadata`, else an error from
 * the close code. Final `Results` add their audio seconds (and cost, at the streaming price) as
 * they arrive; a repeated final (same start and duration) is dropped as `duplicate_final`. The
 * latency is the time from `CloseStream` to the final `Metadata`: the wait for the last transcript.
 */
export function instrumentDeepgramLive(runtime: SpeechRuntime, live: unknown, args: unknown): unknown {
  const socket = live as LiveSocket;
  if (typeof socket?.connect !== 'function') return live;
  const { meter, provider } = runtime;
  const model = modelOf(readFields(args, ['model']).model, 'base');
  const labels = { provider, model };
  const i = meter.instruments;
  const { clock } = runtime;
  const seenFinals = new Set<string>();
  let closeStreamAt: number | undefined;
  let opened = false;
  let ended = false;

  const end = (error?: unknown): void => {
    if (ended) return;
    ended = true;
    const status = error === undefined ? 'success' : 'error';
    i.sttRequests.add(1, { ...labels, status });
    if (closeStreamAt !== undefined) i.sttLatency.record((clock() - closeStreamAt) / 1000, { ...labels, status });
    if (error !== undefined) {
      const errorType = meter.trackError(normalizeError(error), { component: 'stt' });
      i.sttErrors.add(1, { ...labels, error_type: errorType });
    }
  };
  const onMessage = (event: { data?: unknown }): void => {
    if (typeof event?.data !== 'string') return;
    const message = JSON.parse(event.data) as ResultsMessage;
    if (message.type === 'Metadata') return end();
    if (message.type !== 'Results' || message.is_final !== true) return;
    const key = `${String(message.start)}:${String(message.duration)}`;
    if (seenFinals.has(key)) {
      i.voiceEventsDropped.add(1, { reason: 'duplicate_final' });
      return;
    }
    if (seenFinals.size < 10_000) seenFinals.add(key);
    const seconds = message.duration;
    if (typeof seconds !== 'number' || !(seconds > 0) || !Number.isFinite(seconds)) return;
    i.sttAudio.add(seconds, labels);
    const usd = runtime.pricing?.cost({ provider, model: `${model}-streaming`, seconds });
    if (usd !== undefined && usd > 0) meter.recordCost({ provider, service: 'stt', model }, usd);
  };
  const onClose = (event: { code?: number; reason?: string }): void => {
    // A socket that never opened closes before its error tells why (a refused upgrade): wait for it.
    if (!opened) return void setImmediate(() => end('connection'));
    if (event?.code === 1000 || event?.code === 1005) return end();
    end(errorTypeOfClose(event?.code, event?.reason));
  };
  const onError = (event: { message?: string }): void => {
    // A refused upgrade surfaces as "Unexpected server response: 429".
    const status = /Unexpected server response: (\d{3})/.exec(String(event?.message ?? ''))?.[1];
    if (status !== undefined) end(classifyStatus(Number(status)));
  };

  let listened: unknown;
  const listen = (): void => {
    const target = socket.socket;
    if (target === undefined || target === listened) return;
    listened = target;
    target.addEventListener('open', () => {
      opened = true;
    });
    target.addEventListener('message', (event) => safe(() => onMessage(event)));
    target.addEventListener('close', (event) => safe(() => onClose(event)));
    target.addEventListener('error', (event) => safe(() => onError(event)));
  };
  wrapBound(socket, 'connect', (original) => (...rest) => {
    const result = original(...rest);
    // connect() drops every message listener of the socket and adds its own: listen after it.
    safe(listen);
    return result;
  });
  wrapBound(socket, 'sendCloseStream', (original) => (...rest) => {
    closeStreamAt ??= clock();
    return original(...rest);
  });
  return live;
}
