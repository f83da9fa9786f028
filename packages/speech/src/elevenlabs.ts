import { AgentMeterConfigError } from '@agentmeter/core';
import { claimClient } from '@agentmeter/core/internal';
import { elevenLabsBytesPerSecond } from './audio-format.ts';
import { characterCount, invoke, modelOf, readFields, TtsTracker } from './calls.ts';
import { meterFernPromise } from './fern.ts';
import { meterReadableStream } from './observe.ts';
import { wrapBound } from '@agentmeter/core/internal';
import { resolveSpeechOptions, type SpeechInstrumentOptions, type SpeechRuntime } from './options.ts';

/** The parts of an ElevenLabsClient the wrapper uses. */
interface ElevenLabsLike {
  textToSpeech: object;
}

interface ConvertRequest {
  text?: unknown;
  modelId?: unknown;
  outputFormat?: unknown;
}

/** ElevenLabs bills and defaults to these when a request names no model or format. */
const DEFAULT_MODEL = 'eleven_multilingual_v2';
const DEFAULT_FORMAT = 'mp3_44100_128';

/**
 * Meters `textToSpeech.convert` and `textToSpeech.stream` of an ElevenLabsClient
 * (`@elevenlabs/elevenlabs-js`) and returns the same client. Both still resolve to the audio
 * ReadableStream, now metered: time to first audio at the first chunk, latency at the last,
 * billed characters from the `character-cost` header, audio seconds from `outputFormat`.
 */
export function instrumentElevenLabs<C extends object>(client: C, options: SpeechInstrumentOptions): C {
  const runtime = resolveSpeechOptions('instrumentElevenLabs', options, 'elevenlabs');
  const tts = (client as Partial<ElevenLabsLike>).textToSpeech;
  if (typeof tts !== 'object' || tts === null || typeof (tts as { convert?: unknown }).convert !== 'function') {
    throw new AgentMeterConfigError(
      'instrumentElevenLabs: pass an ElevenLabsClient from @elevenlabs/elevenlabs-js (it has textToSpeech.convert).',
    );
  }
  // Wrapping twice changes nothing a scrape sees: the first wrap's options stay.
  if (!claimClient(client, 'instrumentElevenLabs', options)) return client;
  for (const method of ['convert', 'stream']) {
    wrapBound(
      tts,
      method,
      (original) => (voiceId, request, requestOptions) =>
        meteredConvert(runtime, original, voiceId, request, requestOptions),
    );
  }
  return client;
}

function meteredConvert(
  runtime: SpeechRuntime,
  original: (...args: unknown[]) => unknown,
  ...args: unknown[]
): unknown {
  const request: ConvertRequest = readFields(args[1], ['text', 'modelId', 'outputFormat']);
  let tracker: TtsTracker | undefined;
  try {
    const rate = elevenLabsBytesPerSecond(
      typeof request.outputFormat === 'string' ? request.outputFormat : DEFAULT_FORMAT,
    );
    tracker = new TtsTracker(
      runtime,
      modelOf(request.modelId, DEFAULT_MODEL),
      rate === undefined ? undefined : { rate, header: 0 },
    );
  } catch {
    runtime.warner.warn('elevenlabs-start', 'could not start metering an ElevenLabs call; it runs unmetered');
  }
  if (tracker === undefined) return original(...args);
  const call = tracker;
  const result = invoke(() => original(...args), call);
  const characters = characterCount(request.text);
  return meterFernPromise(result, {
    failed: (error) => call.end(error),
    parsed: (data, headers) => {
      call.characters(billedCharacters(headers) ?? characters);
      if (!(data instanceof ReadableStream)) {
        call.end();
        return data;
      }
      return meterReadableStream(data as ReadableStream<Uint8Array>, {
        chunk: (bytes) => call.audio(bytes),
        end: (error) => call.end(error),
      });
    },
  });
}

/** The characters ElevenLabs billed, from its `character-cost` response header. */
function billedCharacters(headers: Headers | undefined): number | undefined {
  const value = Number(headers?.get?.('character-cost'));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
