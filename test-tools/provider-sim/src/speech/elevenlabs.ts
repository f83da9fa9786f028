import type { SpeechSimOptions } from './behavior.ts';
import { bytesPerSecondOf } from './audio.ts';
import { audioChunks, sendJson, startSpeechServer, streamParts, type SpeechSim } from './sim-server.ts';

/**
 * ElevenLabs text-to-speech: `POST /v1/text-to-speech/{voice_id}` (convert) and `.../stream`,
 * both answering with chunked audio in the `output_format` query parameter (default
 * `mp3_44100_128`) and the `character-cost` header ElevenLabs bills by.
 */
export function startElevenLabsSim(options?: SpeechSimOptions): Promise<SpeechSim> {
  return startSpeechServer(
    {
      async http({ req, res, url, body, behavior }) {
        const match = /^\/v1\/text-to-speech\/([^/]+)(\/stream)?$/.exec(url.pathname);
        if (req.method !== 'POST' || match === null) return false;
        const request = JSON.parse(body.toString('utf8') || '{}') as { text?: unknown };
        if (typeof request.text !== 'string' || request.text === '') {
          sendJson(res, 422, {
            detail: [{ loc: ['body', 'text'], msg: 'field required', type: 'value_error.missing' }],
          });
          return true;
        }
        const format = url.searchParams.get('output_format') ?? 'mp3_44100_128';
        const characters = [...request.text].length;
        const bytes = Math.round(characters * behavior.secondsPerCharacter * bytesPerSecondOf(format));
        await streamParts(
          res,
          200,
          {
            'content-type': format.startsWith('mp3') ? 'audio/mpeg' : 'application/octet-stream',
            'character-cost': String(characters),
            'request-id': `sim-${Date.now()}`,
          },
          audioChunks(bytes, behavior.chunks),
          behavior,
        );
        return true;
      },
      errorBody: (status, message) => ({
        detail: { status: status === 429 ? 'too_many_concurrent_requests' : 'internal_error', message },
      }),
    },
    options,
    false,
  );
}
