import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { LOOPBACK_TLS_CERT, LOOPBACK_TLS_KEY } from '../speech/tls.ts';

/** Usage a simulated response reports in `response.done`. */
export interface RealtimeSimUsage {
  readonly textIn: number;
  readonly audioIn: number;
  readonly cachedIn: number;
  readonly textOut: number;
  readonly audioOut: number;
}

export interface OpenAIRealtimeSimOptions {
  /** Audio deltas per response (default 3). */
  readonly audioDeltas?: number;
  /** Milliseconds between deltas (default 0). */
  readonly deltaMs?: number;
  readonly usage?: Partial<RealtimeSimUsage>;
}

export interface OpenAIRealtimeSim {
  /** `https://127.0.0.1:<port>`: the openai client's baseURL (`${url}/v1`); the SDK connects over wss. */
  readonly url: string;
  /** The certificate the client must trust (`options: { ca }`). */
  readonly ca: string;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const AUDIO = Buffer.alloc(480).toString('base64');

/**
 * The OpenAI Realtime API over WebSocket (GA event names): `session.created`; an input audio
 * buffer whose commit answers `input_audio_buffer.speech_stopped` and `.committed`;
 * `response.create` streams `response.output_audio.delta` and transcript deltas and ends with
 * `response.done` carrying usage; `response.cancel` ends the response as `cancelled`.
 */
export async function startOpenAIRealtimeSim(options: OpenAIRealtimeSimOptions = {}): Promise<OpenAIRealtimeSim> {
  const usage: RealtimeSimUsage = { textIn: 20, audioIn: 50, cachedIn: 0, textOut: 10, audioOut: 40, ...options.usage };
  const server: Server = createServer({ key: LOOPBACK_TLS_KEY, cert: LOOPBACK_TLS_CERT }, (_req, res) =>
    res.writeHead(404).end(),
  );
  const wss = new WebSocketServer({ server, path: '/v1/realtime' });
  let ids = 0;
  wss.on('connection', (ws, request) => {
    const model = new URL(request.url ?? '/', 'https://localhost').searchParams.get('model') ?? 'unknown';
    const send = (event: Record<string, unknown>): void =>
      ws.send(JSON.stringify({ event_id: `ev_${(ids += 1)}`, ...event }));
    send({ type: 'session.created', session: { type: 'realtime', id: `sess_${ids}`, model } });
    let cancelled = false;
    ws.on(
      'message',
      (data) =>
        void onMessage(
          ws,
          data.toString(),
          send,
          model,
          () => cancelled,
          (value) => (cancelled = value),
        ),
    );
  });

  async function onMessage(
    ws: WebSocket,
    text: string,
    send: (event: Record<string, unknown>) => void,
    model: string,
    isCancelled: () => boolean,
    setCancelled: (value: boolean) => void,
  ): Promise<void> {
    let event: { type?: unknown };
    try {
      event = JSON.parse(text) as { type?: unknown };
    } catch {
      send({
        type: 'error',
        error: { type: 'invalid_request_error', code: 'invalid_json', message: 'Simulated: not JSON' },
      });
      return;
    }
    if (event.type === 'input_audio_buffer.commit') {
      send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 1000, item_id: `item_${ids}` });
      send({ type: 'input_audio_buffer.committed', item_id: `item_${ids}`, previous_item_id: null });
    } else if (event.type === 'response.cancel') {
      setCancelled(true);
    } else if (event.type === 'response.create') {
      setCancelled(false);
      const id = `resp_${(ids += 1)}`;
      send({
        type: 'response.created',
        response: { id, object: 'realtime.response', status: 'in_progress', output: [] },
      });
      let status = 'completed';
      for (let i = 0; i < (options.audioDeltas ?? 3); i += 1) {
        await sleep(options.deltaMs ?? 0);
        if (isCancelled()) {
          status = 'cancelled';
          break;
        }
        if (ws.readyState !== ws.OPEN) return;
        send({
          type: 'response.output_audio.delta',
          response_id: id,
          item_id: `item_${id}`,
          output_index: 0,
          content_index: 0,
          delta: AUDIO,
        });
        send({
          type: 'response.output_audio_transcript.delta',
          response_id: id,
          item_id: `item_${id}`,
          output_index: 0,
          content_index: 0,
          delta: 'word ',
        });
      }
      send({
        type: 'response.done',
        response: {
          id,
          object: 'realtime.response',
          status,
          output: [],
          usage: {
            total_tokens: usage.textIn + usage.audioIn + usage.textOut + usage.audioOut,
            input_tokens: usage.textIn + usage.audioIn,
            output_tokens: usage.textOut + usage.audioOut,
            input_token_details: {
              text_tokens: usage.textIn,
              audio_tokens: usage.audioIn,
              cached_tokens: usage.cachedIn,
            },
            output_token_details: { text_tokens: usage.textOut, audio_tokens: usage.audioOut },
          },
          metadata: { model },
        },
      });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    ca: LOOPBACK_TLS_CERT,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
