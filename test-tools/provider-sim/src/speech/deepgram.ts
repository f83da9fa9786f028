import type { WebSocket } from 'ws';
import { pause, type SimBehavior, type SpeechFault, type SpeechSimOptions } from './behavior.ts';
import { secondsOfAudio } from './audio.ts';
import type { ServerResponse } from 'node:http';
import { audioChunks, sendJson, startSpeechServer, streamParts, type SpeechSim } from './sim-server.ts';

export interface DeepgramSimOptions extends SpeechSimOptions {
  /** Sends every final live result twice, as a flaky network path can (default false). */
  repeatFinals?: boolean;
}

const MODEL_UUID = '1abfe86b-e047-4eed-858a-35e5625b41ee';

function transcriptOf(seconds: number): string {
  return `simulated speech of ${seconds.toFixed(2)} seconds`;
}

function metadata(requestId: string, duration: number, model: string): Record<string, unknown> {
  return {
    transaction_key: 'deprecated',
    request_id: requestId,
    sha256: '0'.repeat(64),
    created: '2026-01-01T00:00:00.000Z',
    duration,
    channels: 1,
    models: [MODEL_UUID],
    model_info: { [MODEL_UUID]: { name: `general-${model}`, version: '2026-01-01.0', arch: model } },
  };
}

/**
 * Deepgram: Aura text-to-speech (`POST /v1/speak`, chunked audio with `dg-char-count`),
 * speech-to-text prerecorded `POST /v1/listen` (audio body, JSON answer with
 * `metadata.duration`) and live `/v1/listen` over WebSocket: `Results` messages (interim when
 * `interim_results=true`, then `is_final`), `Finalize`, `KeepAlive`, and `CloseStream`, answered
 * with a `Metadata` message and a normal close. Point the SDK at it with
 * `environment: { base: sim.url, production: sim.url.replace('http', 'ws'), ... }`.
 */
export function startDeepgramSim(options?: DeepgramSimOptions): Promise<SpeechSim> {
  let requestCount = 0;
  return startSpeechServer(
    {
      async http({ req, res, url, body, behavior }) {
        if (req.method === 'POST' && url.pathname === '/v1/speak') return speak(res, url, body, behavior);
        if (req.method !== 'POST' || url.pathname !== '/v1/listen') return false;
        const requestId = `sim-${++requestCount}`;
        if (String(req.headers['content-type']).includes('json')) {
          sendJson(res, 400, {
            err_code: 'Bad Request',
            err_msg: 'The simulator only transcribes uploaded audio.',
            request_id: requestId,
          });
          return true;
        }
        if (body.length === 0) {
          sendJson(res, 400, {
            err_code: 'Bad Request',
            err_msg: 'Bad Request: failed to process audio: corrupt or unsupported data',
            request_id: requestId,
          });
          return true;
        }
        const duration = secondsOfAudio(body);
        const model = url.searchParams.get('model') ?? 'nova-3';
        const transcript = transcriptOf(duration);
        sendJson(res, 200, {
          metadata: metadata(requestId, duration, model),
          results: { channels: [{ alternatives: [{ transcript, confidence: 0.98, words: [] }] }] },
        });
        return true;
      },
      websocket: {
        path: '/v1/listen',
        connect: (ws, url, fault, behavior) =>
          serveLive(ws, url, fault, behavior, `sim-live-${++requestCount}`, options?.repeatFinals === true),
      },
      errorBody: (status, message) => ({
        err_code: status === 429 ? 'TOO_MANY_REQUESTS' : 'INTERNAL_SERVER_ERROR',
        err_msg: message,
        request_id: 'sim',
      }),
    },
    options,
    false,
  );
}

/** Aura text-to-speech: linear16 (in a WAV container unless `container=none`), mulaw, alaw or mp3. */
async function speak(res: ServerResponse, url: URL, body: Buffer, behavior: SimBehavior): Promise<boolean> {
  const { text } = JSON.parse(body.toString('utf8') || '{}') as { text?: unknown };
  if (typeof text !== 'string' || text === '') {
    sendJson(res, 400, { err_code: 'Bad Request', err_msg: 'text is required', request_id: 'sim' });
    return true;
  }
  const encoding = url.searchParams.get('encoding') ?? 'mp3';
  const rate = Number(url.searchParams.get('sample_rate')) || (encoding === 'linear16' ? 24_000 : 8000);
  const perSecond =
    encoding === 'linear16' ? rate * 2 : encoding === 'mulaw' || encoding === 'alaw' ? rate : 48_000 / 8;
  const characters = [...text].length;
  const chunks = audioChunks(Math.round(characters * behavior.secondsPerCharacter * perSecond), behavior.chunks);
  const wav = encoding === 'linear16' && url.searchParams.get('container') !== 'none';
  const headers = {
    'content-type': encoding === 'mp3' ? 'audio/mpeg' : 'audio/wav',
    'dg-char-count': String(characters),
    'dg-request-id': 'sim',
  };
  await streamParts(res, 200, headers, wav ? [Buffer.alloc(44), ...chunks] : chunks, behavior);
  return true;
}

function serveLive(
  ws: WebSocket,
  url: URL,
  fault: SpeechFault | undefined,
  behavior: SimBehavior,
  requestId: string,
  repeatFinals: boolean,
): void {
  if (fault?.kind === 'server_error') {
    ws.close(1011, 'NET-0000');
    return;
  }
  const model = url.searchParams.get('model') ?? 'nova-3';
  const sampleRate = Number(url.searchParams.get('sample_rate')) || 16_000;
  const channels = Number(url.searchParams.get('channels')) || 1;
  const raw = url.searchParams.get('encoding') === 'linear16';
  const interim = url.searchParams.get('interim_results') === 'true';
  let cursor = 0;
  let sent = 0;
  let chain = Promise.resolve();
  const send = (message: object): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (fault?.kind === 'abort' && sent >= (fault.afterChunks ?? 1)) {
      ws.terminate();
      return;
    }
    sent++;
    ws.send(JSON.stringify(message));
  };
  const results = (start: number, duration: number, isFinal: boolean, fromFinalize: boolean): object => ({
    type: 'Results',
    channel_index: [0, channels],
    duration,
    start,
    is_final: isFinal,
    speech_final: isFinal,
    from_finalize: fromFinalize,
    channel: {
      alternatives: [{ transcript: duration > 0 ? transcriptOf(duration) : '', confidence: 0.97, words: [] }],
    },
    metadata: {
      request_id: requestId,
      model_info: { name: `general-${model}`, version: '2026-01-01.0', arch: model },
      model_uuid: MODEL_UUID,
    },
  });
  ws.on('message', (data, isBinary) => {
    if (fault?.kind === 'hang') return;
    chain = chain
      .then(async () => {
        if (isBinary) {
          const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
          const duration = raw ? bytes.length / (2 * sampleRate * channels) : secondsOfAudio(bytes);
          const start = cursor;
          cursor += duration;
          await pause(behavior.firstByteMs());
          if (interim) send(results(start, duration, false, false));
          await pause(behavior.chunkGapMs());
          send(results(start, duration, true, false));
          if (repeatFinals) send(results(start, duration, true, false));
          return;
        }
        const message = JSON.parse(String(data)) as { type?: string };
        if (message.type === 'Finalize') send(results(cursor, 0, true, true));
        if (message.type === 'CloseStream') {
          await pause(behavior.firstByteMs());
          send({ type: 'Metadata', ...metadata(requestId, cursor, model) });
          ws.close(1000);
        }
      })
      .catch(() => ws.terminate());
  });
}
