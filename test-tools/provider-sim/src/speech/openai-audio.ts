import type { SpeechSimOptions } from './behavior.ts';
import { bytesPerSecondOf, secondsOfAudio } from './audio.ts';
import {
  audioChunks,
  sendJson,
  startSpeechServer,
  streamParts,
  type SimHttpRequest,
  type SpeechSim,
} from './sim-server.ts';

/** Formats of `/audio/speech` as ElevenLabs-style names, for their byte rates (pcm and wav: 24 kHz). */
const SPEECH_FORMATS: Readonly<Record<string, string>> = {
  mp3: 'mp3_24000_160',
  opus: 'opus_24000_32',
  aac: 'aac_24000_128',
  flac: 'flac_24000_384',
  wav: 'pcm_24000',
  pcm: 'pcm_24000',
};

/**
 * OpenAI audio, under `/v1`: `POST /audio/speech` (chunked binary audio) and
 * `POST /audio/transcriptions` (multipart upload). whisper-1 answers with duration usage
 * (`json`, `verbose_json`, `text`); the gpt-4o transcribe models with token usage, and
 * stream `transcript.text.delta` / `transcript.text.done` events when `stream` is true.
 */
export function startOpenAIAudioSim(options?: SpeechSimOptions): Promise<SpeechSim> {
  return startSpeechServer(
    {
      async http(request) {
        const { req, url } = request;
        if (req.method !== 'POST') return false;
        if (url.pathname === '/v1/audio/speech') return speech(request);
        if (url.pathname === '/v1/audio/transcriptions') return transcription(request);
        return false;
      },
      errorBody: (status, message) => ({
        error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', param: null, code: null },
      }),
    },
    options,
    false,
  );
}

async function speech({ res, body, behavior }: SimHttpRequest): Promise<boolean> {
  const request = JSON.parse(body.toString('utf8') || '{}') as {
    input?: unknown;
    response_format?: unknown;
    stream_format?: unknown;
  };
  if (typeof request.input !== 'string' || request.input === '') {
    sendJson(res, 400, {
      error: {
        message: "Missing required parameter: 'input'.",
        type: 'invalid_request_error',
        param: 'input',
        code: null,
      },
    });
    return true;
  }
  const format = typeof request.response_format === 'string' ? request.response_format : 'mp3';
  const seconds = [...request.input].length * behavior.secondsPerCharacter;
  const bytes = Math.round(seconds * bytesPerSecondOf(SPEECH_FORMATS[format] ?? 'mp3_24000_160'));
  const chunks = audioChunks(bytes, behavior.chunks);
  if (request.stream_format === 'sse') {
    // gpt-4o-mini-tts style: audio deltas as base64 in events, then the token usage.
    const events = [
      ...chunks.map((chunk) => ({ type: 'speech.audio.delta', audio: chunk.toString('base64') })),
      {
        type: 'speech.audio.done',
        usage: { input_tokens: 10, output_tokens: chunks.length * 50, total_tokens: 10 + chunks.length * 50 },
      },
    ].map((event) => `data: ${JSON.stringify(event)}\n\n`);
    await streamParts(res, 200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_sim' }, events, behavior);
    return true;
  }
  await streamParts(
    res,
    200,
    { 'content-type': format === 'mp3' ? 'audio/mpeg' : `audio/${format}`, 'x-request-id': 'req_sim' },
    chunks,
    behavior,
  );
  return true;
}

async function transcription({ req, res, body, behavior }: SimHttpRequest): Promise<boolean> {
  const form = await new Request('http://127.0.0.1/', {
    method: 'POST',
    headers: { 'content-type': String(req.headers['content-type']) },
    body: new Uint8Array(body),
  }).formData();
  const file = form.get('file');
  const model = String(form.get('model') ?? '');
  if (!(file instanceof Blob) || model === '') {
    sendJson(res, 400, {
      error: { message: 'file and model are required', type: 'invalid_request_error', param: null, code: null },
    });
    return true;
  }
  const duration = secondsOfAudio(Buffer.from(await file.arrayBuffer()));
  const text = `Simulated transcript of ${duration.toFixed(2)} seconds.`;
  const whisper = model.startsWith('whisper');
  const format = String(form.get('response_format') ?? 'json');
  const usage = whisper
    ? { type: 'duration', seconds: Math.ceil(duration) }
    : {
        type: 'tokens',
        input_tokens: Math.round(duration * 10),
        input_token_details: { text_tokens: 0, audio_tokens: Math.round(duration * 10) },
        output_tokens: 12,
        total_tokens: Math.round(duration * 10) + 12,
      };
  if (form.get('stream') === 'true') {
    if (whisper) {
      sendJson(res, 400, {
        error: {
          message: 'Streaming is not supported for whisper-1.',
          type: 'invalid_request_error',
          param: 'stream',
          code: null,
        },
      });
      return true;
    }
    const words = text.split(' ');
    const events = words.map((word, i) => ({
      type: 'transcript.text.delta',
      delta: i === 0 ? word : ` ${word}`,
      logprobs: null,
    }));
    const parts = [...events, { type: 'transcript.text.done', text, logprobs: null, usage }].map(
      (event) => `data: ${JSON.stringify(event)}\n\n`,
    );
    await streamParts(res, 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, parts, behavior);
    return true;
  }
  if (format === 'text' || format === 'srt' || format === 'vtt') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(text);
    return true;
  }
  if (format === 'verbose_json') {
    sendJson(res, 200, {
      task: 'transcribe',
      language: 'english',
      duration,
      text,
      segments: [
        {
          id: 0,
          seek: 0,
          start: 0,
          end: duration,
          text,
          tokens: [],
          temperature: 0,
          avg_logprob: -0.2,
          compression_ratio: 1,
          no_speech_prob: 0.01,
        },
      ],
      usage,
    });
    return true;
  }
  sendJson(res, 200, { text, usage });
  return true;
}
