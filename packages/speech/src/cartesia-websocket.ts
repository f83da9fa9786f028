import { classifyStatus } from '@agentmeter/core';
import { base64Bytes, cartesiaBytesPerSecond } from './audio-format.ts';
import { characterCount, errorTypeOfClose, modelOf, readFields, TtsTracker } from './calls.ts';
import { meterIterator } from './observe.ts';
import { safely as safe, wrapBound } from '@agentmeter/core/internal';
import type { SpeechRuntime } from './options.ts';

/** The parts of the SDK's TTSWS the wrapper uses. */
interface TtsSocket {
  on(event: 'event', listener: (event: SocketEvent) => void): unknown;
  socket?: { addEventListener?(type: 'close', listener: (event: { code?: number; reason?: string }) => void): void };
}
interface SocketEvent {
  type?: unknown;
  context_id?: unknown;
  data?: unknown;
  status_code?: unknown;
}
interface GenerationRequest {
  context_id?: unknown;
  model_id?: unknown;
  transcript?: unknown;
  output_format?: unknown;
  cancel?: unknown;
}

const MAX_OPEN_CONTEXTS = 1000;

/**
 * Meters a Cartesia TTS WebSocket in place. Each context is one call: it starts with the first
 * request that names it, adds the characters of every transcript pushed, sees its first audio
 * chunk, and ends at `done`, at an error event, when cancelled, or when the socket closes.
 */
export function instrumentCartesiaWebSocket(runtime: SpeechRuntime, ws: unknown): unknown {
  const socket = ws as TtsSocket;
  if (typeof socket?.on !== 'function') return ws;
  const contexts = new Map<string, TtsTracker>();
  const finish = (contextId: string, error?: unknown): void => {
    const tracker = contexts.get(contextId);
    if (tracker === undefined) return;
    contexts.delete(contextId);
    tracker.end(error);
  };
  try {
    socket.on('event', (event) => {
      const contextId = typeof event?.context_id === 'string' ? event.context_id : undefined;
      if (contextId === undefined) return;
      if (event.type === 'chunk') contexts.get(contextId)?.audio(base64Bytes(event.data));
      else if (event.type === 'done') finish(contextId);
      else if (event.type === 'error')
        finish(contextId, typeof event.status_code === 'number' ? classifyStatus(event.status_code) : 'stream_error');
    });
  } catch {
    runtime.warner.warn('cartesia-ws', 'could not listen to a Cartesia WebSocket; it runs unmetered');
    return ws;
  }
  let watched: unknown;
  const watchClose = (): void => {
    const current = socket.socket;
    if (current === watched || typeof current?.addEventListener !== 'function') return;
    watched = current;
    // Contexts still open when the socket closes end with it: normally (1000), or by the close code
    // (a socket dropped mid-audio is a stream_error).
    current.addEventListener('close', (event) => {
      for (const contextId of contexts.keys())
        finish(contextId, event?.code === 1000 ? undefined : errorTypeOfClose(event?.code, event?.reason));
    });
  };
  safe(watchClose);
  wrapBound(socket, 'send', (original) => (request, ...rest) => {
    safe(() => {
      watchClose();
      observeRequest(runtime, contexts, finish, request);
    });
    return original(request, ...rest);
  });
  // A context's receive() throws the SDK's WebSocketTimeoutError when the server goes quiet.
  wrapBound(socket, 'context', (original) => (...args) => {
    const context = original(...args) as { contextId?: unknown; receive?: unknown };
    safe(() => {
      const contextId = context.contextId;
      if (typeof contextId !== 'string') return;
      wrapBound(context, 'receive', (receive) => (...receiveArgs) => {
        const iterator = receive(...receiveArgs) as AsyncGenerator<unknown>;
        const observed = meterIterator(iterator, {
          item: () => {},
          end: (error) => error !== undefined && finish(contextId, error),
        });
        return Object.assign(observed, { [Symbol.asyncIterator]: () => observed });
      });
    });
    return context;
  });
  return ws;
}

function observeRequest(
  runtime: SpeechRuntime,
  contexts: Map<string, TtsTracker>,
  finish: (contextId: string, error?: unknown) => void,
  message: unknown,
): void {
  const request: GenerationRequest = readFields(message, [
    'context_id',
    'cancel',
    'model_id',
    'transcript',
    'output_format',
  ]);
  if (typeof request.context_id !== 'string') return;
  const contextId = request.context_id;
  if (request.cancel === true) {
    // A cancelled context (a barge-in) ends as delivered so far, not as a failure.
    finish(contextId);
    return;
  }
  let tracker = contexts.get(contextId);
  if (tracker === undefined) {
    // Contexts the server never finishes must not pile up: past the cap the oldest ends as timed out.
    if (contexts.size >= MAX_OPEN_CONTEXTS) finish(contexts.keys().next().value!, 'timeout');
    tracker = new TtsTracker(
      runtime,
      modelOf(request.model_id, 'unknown'),
      cartesiaBytesPerSecond(request.output_format),
    );
    contexts.set(contextId, tracker);
  }
  tracker.characters(characterCount(request.transcript));
}
