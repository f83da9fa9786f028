import { AgentMeterConfigError } from '@agentmeter/core';
import { claimClient } from '@agentmeter/core/internal';
import { openAISpeechBytesPerSecond, wavSeconds } from './audio-format.ts';
import { characterCount, invoke, modelOf, readFields, SttTracker, TtsTracker } from './calls.ts';
import { meterResponse, meterSdkStream } from './observe.ts';
import { wrapBound } from '@agentmeter/core/internal';
import { resolveSpeechOptions, type SpeechInstrumentOptions, type SpeechRuntime } from './options.ts';
import { meterAPIPromise } from './stainless.ts';

interface SpeechBody {
  model?: unknown;
  input?: unknown;
  response_format?: unknown;
  stream_format?: unknown;
}
interface TranscriptionBody {
  model?: unknown;
  file?: unknown;
  stream?: unknown;
}
interface TranscriptionData {
  duration?: unknown;
  usage?: { type?: unknown; seconds?: unknown };
}

/**
 * Meters an OpenAI client's (`openai`) audio calls and returns the same client:
 * `audio.speech.create` as text-to-speech (the Response body is metered in place: first audio,
 * last byte, characters; audio seconds for `pcm` and `wav`), and `audio.transcriptions.create`
 * and `audio.translations.create` as speech-to-text (whisper-1's duration usage, the streamed
 * events of the gpt-4o transcribe models, or the length of an uploaded WAV file).
 */
export function instrumentOpenAIAudio<C extends object>(client: C, options: SpeechInstrumentOptions): C {
  const runtime = resolveSpeechOptions('instrumentOpenAIAudio', options, 'openai');
  const audio = (client as { audio?: Record<string, object> }).audio;
  if (
    typeof audio !== 'object' ||
    audio === null ||
    typeof audio['speech'] !== 'object' ||
    typeof audio['transcriptions'] !== 'object'
  ) {
    throw new AgentMeterConfigError(
      'instrumentOpenAIAudio: pass an OpenAI client from the openai package (it has audio.speech and audio.transcriptions).',
    );
  }
  // Wrapping twice changes nothing a scrape sees: the first wrap's options stay.
  if (!claimClient(client, 'instrumentOpenAIAudio', options)) return client;
  wrapBound(
    audio['speech'],
    'create',
    (original) => (body, requestOptions) => meteredSpeech(runtime, original, body, requestOptions),
  );
  for (const resource of ['transcriptions', 'translations']) {
    const target = audio[resource];
    if (typeof target !== 'object' || target === null) continue;
    wrapBound(
      target,
      'create',
      (original) => (body, requestOptions) => meteredTranscription(runtime, original, body, requestOptions),
    );
  }
  return client;
}

function meteredSpeech(
  runtime: SpeechRuntime,
  original: (...args: unknown[]) => unknown,
  body: unknown,
  requestOptions: unknown,
): unknown {
  const request: SpeechBody = readFields(body, ['model', 'input', 'response_format', 'stream_format']);
  let tracker: TtsTracker | undefined;
  try {
    // With stream_format 'sse' the body is events (base64 audio in JSON), so bytes are not audio length.
    const rate =
      request.stream_format === 'sse' ? undefined : openAISpeechBytesPerSecond(request.response_format ?? 'mp3');
    tracker = new TtsTracker(runtime, modelOf(request.model, 'tts-1'), rate);
  } catch {
    runtime.warner.warn('openai-speech-start', 'could not start metering an OpenAI speech call; it runs unmetered');
  }
  if (tracker === undefined) return original(body, requestOptions);
  const call = tracker;
  return meterAPIPromise(
    invoke(() => original(body, requestOptions), call),
    {
      headers: () => call.characters(characterCount(request.input)),
      failed: (error) => call.end(error),
      parsed: (response) => {
        if (!(response instanceof Response)) {
          call.end();
          return response;
        }
        return meterResponse(response, { chunk: (bytes) => call.audio(bytes), end: (error) => call.end(error) });
      },
    },
  );
}

function meteredTranscription(
  runtime: SpeechRuntime,
  original: (...args: unknown[]) => unknown,
  body: unknown,
  requestOptions: unknown,
): unknown {
  const request: TranscriptionBody = readFields(body, ['model', 'file', 'stream']);
  let tracker: SttTracker | undefined;
  try {
    tracker = new SttTracker(runtime, modelOf(request.model, 'whisper-1'));
  } catch {
    runtime.warner.warn(
      'openai-transcription-start',
      'could not start metering an OpenAI transcription; it runs unmetered',
    );
  }
  if (tracker === undefined) return original(body, requestOptions);
  const call = tracker;
  const result = invoke(() => original(body, requestOptions), call);
  const finish = (seconds: number | undefined, error?: unknown): void => {
    if (error !== undefined) return call.end(error);
    if (seconds !== undefined) {
      call.audioSeconds(seconds);
      call.end();
      return;
    }
    // The upload's own length, when it is a WAV Blob/File: the fallback for token-billed models.
    void uploadWavSeconds(request.file).then((fromUpload) => {
      call.audioSeconds(fromUpload);
      call.end();
    });
  };
  return meterAPIPromise(result, {
    failed: (error) => call.end(error),
    parsed: (data) => {
      if (request.stream === true && typeof data === 'object' && data !== null) {
        return meterSdkStream(data, { item: () => {}, end: (error) => finish(undefined, error) });
      }
      finish(reportedSeconds(data));
      return data;
    },
  });
}

/** Seconds the response reports: verbose_json's `duration`, else whisper's duration usage. */
function reportedSeconds(data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { duration, usage } = data as TranscriptionData;
  if (typeof duration === 'number') return duration;
  if (usage?.type === 'duration' && typeof usage.seconds === 'number') return usage.seconds;
  return undefined;
}

async function uploadWavSeconds(file: unknown): Promise<number | undefined> {
  if (!(file instanceof Blob)) return undefined;
  try {
    return wavSeconds(new Uint8Array(await file.slice(0, 4096).arrayBuffer()));
  } catch {
    return undefined;
  }
}
