import type { WebSocket } from 'ws';
import { pause, type SimBehavior, type SpeechFault, type SpeechSimOptions } from './behavior.ts';
import { audioChunks, sendJson, startSpeechServer, streamParts, type SpeechSim } from './sim-server.ts';

interface OutputFormat {
  container?: string;
  encoding?: string;
  sample_rate?: number;
  bit_rate?: number;
}

/** Bytes per second of a Cartesia output format. */
function bytesPerSecond(format: OutputFormat | undefined): number {
  const rate = format?.sample_rate ?? 44_100;
  if (format?.container === 'mp3') return (format.bit_rate ?? 128_000) / 8;
  if (format?.encoding === 'pcm_f32le') return rate * 4;
  if (format?.encoding === 'pcm_mulaw' || format?.encoding === 'pcm_alaw') return rate;
  return rate * 2;
}

function audioFor(transcript: string, format: OutputFormat | undefined, behavior: SimBehavior): Buffer[] {
  const bytes = Math.round([...transcript].length * behavior.secondsPerCharacter * bytesPerSecond(format));
  const chunks = audioChunks(bytes, behavior.chunks);
  // A WAV container starts with its 44-byte header.
  return format?.container === 'wav' ? [Buffer.alloc(44, 0), ...chunks] : chunks;
}

/**
 * Cartesia TTS: `POST /tts/bytes` (chunked audio), `POST /tts/sse` (chunk events with base64
 * audio, then `done`), and the `/tts/websocket` protocol (contexts, `continue`, `flush`, `cancel`;
 * a fault arrives as an error message on the first context, a rate limit with `status_code` 429),
 * which the SDK always opens over TLS: give the WebSocket client `tlsUrl` as its base URL.
 */
export function startCartesiaSim(options?: SpeechSimOptions): Promise<SpeechSim> {
  return startSpeechServer(
    {
      async http({ req, res, url, body, behavior }) {
        if (req.method !== 'POST' || (url.pathname !== '/tts/bytes' && url.pathname !== '/tts/sse')) return false;
        const request = JSON.parse(body.toString('utf8') || '{}') as {
          transcript?: unknown;
          output_format?: OutputFormat;
          context_id?: string;
        };
        if (typeof request.transcript !== 'string' || request.transcript === '') {
          sendJson(res, 400, { title: 'Invalid request', message: 'transcript must not be empty', status_code: 400 });
          return true;
        }
        const audio = audioFor(request.transcript, request.output_format, behavior);
        if (url.pathname === '/tts/bytes') {
          await streamParts(
            res,
            200,
            { 'content-type': request.output_format?.container === 'mp3' ? 'audio/mpeg' : 'audio/wav' },
            audio,
            behavior,
          );
          return true;
        }
        const contextId = request.context_id ?? null;
        const events = [
          ...audio.map((chunk) => ({
            type: 'chunk',
            data: chunk.toString('base64'),
            done: false,
            status_code: 206,
            step_time: 10,
            context_id: contextId,
          })),
          { type: 'done', done: true, status_code: 200, context_id: contextId },
        ].map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
        await streamParts(
          res,
          200,
          { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
          events,
          behavior,
        );
        return true;
      },
      websocket: { path: '/tts/websocket', inBandRateLimit: true, connect: serveWebSocket },
      errorBody: (status, message) => ({
        title: status === 429 ? 'Too Many Requests' : 'Internal Server Error',
        message,
        status_code: status,
      }),
    },
    options,
    true,
  );
}

interface WsRequest {
  context_id?: string;
  transcript?: string;
  continue?: boolean;
  flush?: boolean;
  cancel?: boolean;
  output_format?: OutputFormat;
}

function serveWebSocket(ws: WebSocket, _url: URL, fault: SpeechFault | undefined, behavior: SimBehavior): void {
  const cancelled = new Set<string>();
  const flushIds = new Map<string, number>();
  let pending: SpeechFault | undefined = fault;
  let sent = 0;
  // Requests of one context are answered in order, as the service does.
  const queues = new Map<string, Promise<void>>();
  const send = (message: object): boolean => {
    if (ws.readyState !== ws.OPEN) return false;
    if (pending?.kind === 'abort' && sent >= (pending.afterChunks ?? 1)) {
      ws.terminate();
      return false;
    }
    sent++;
    ws.send(JSON.stringify(message));
    return true;
  };
  const answer = async (request: WsRequest, contextId: string): Promise<void> => {
    if (pending?.kind === 'hang') return;
    if (pending?.kind === 'server_error' || pending?.kind === 'rate_limit') {
      const status = pending.kind === 'rate_limit' ? 429 : 500;
      pending = undefined;
      send({
        type: 'error',
        status_code: status,
        title: status === 429 ? 'Too Many Requests' : 'Internal Server Error',
        message: 'generation failed',
        context_id: contextId,
        done: true,
        request_id: 'sim',
      });
      return;
    }
    await pause(behavior.firstByteMs());
    const transcript = request.transcript ?? '';
    if (transcript !== '') {
      const chunks = audioFor(transcript, request.output_format, behavior);
      for (let i = 0; i < chunks.length; i++) {
        if (cancelled.has(contextId)) return;
        if (i > 0) await pause(behavior.chunkGapMs());
        if (
          !send({
            type: 'chunk',
            data: chunks[i]!.toString('base64'),
            done: false,
            status_code: 206,
            step_time: 10,
            context_id: contextId,
          })
        )
          return;
      }
    }
    if (request.flush === true) {
      const flushId = (flushIds.get(contextId) ?? 0) + 1;
      flushIds.set(contextId, flushId);
      send({
        type: 'flush_done',
        done: false,
        flush_done: true,
        flush_id: flushId,
        status_code: 206,
        context_id: contextId,
      });
    }
    if (request.continue !== true && !cancelled.has(contextId))
      send({ type: 'done', done: true, status_code: 200, context_id: contextId });
  };
  ws.on('message', (data) => {
    let request: WsRequest;
    try {
      request = JSON.parse(String(data)) as WsRequest;
    } catch {
      send({ type: 'error', status_code: 400, title: 'Invalid message', message: 'messages must be JSON', done: true });
      return;
    }
    const contextId = request.context_id ?? '';
    if (request.cancel === true) {
      cancelled.add(contextId);
      return;
    }
    const previous = queues.get(contextId) ?? Promise.resolve();
    queues.set(
      contextId,
      previous.then(() => answer(request, contextId)),
    );
  });
}
