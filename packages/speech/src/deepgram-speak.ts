import { deepgramSpeakBytesPerSecond } from './audio-format.ts';
import { characterCount, invoke, modelOf, readFields, TtsTracker } from './calls.ts';
import { meterFernPromise } from './fern.ts';
import { meterBinaryResponse } from './observe.ts';
import type { SpeechRuntime } from './options.ts';

/** Deepgram's default Aura voice model. */
const DEFAULT_SPEAK_MODEL = 'aura-asteria-en';

/**
 * Meters `speak.v1.audio.generate` (Aura TTS): the BinaryResponse is metered in place, billed
 * characters come from the `dg-char-count` header, audio seconds from linear16, mulaw or alaw.
 */
export function meteredSpeak(
  runtime: SpeechRuntime,
  original: (...args: unknown[]) => unknown,
  request: unknown,
  requestOptions: unknown,
): unknown {
  const fields = readFields(request, ['text', 'model', 'encoding', 'sample_rate', 'container']);
  let tracker: TtsTracker | undefined;
  try {
    tracker = new TtsTracker(
      runtime,
      modelOf(fields.model, DEFAULT_SPEAK_MODEL),
      deepgramSpeakBytesPerSecond(fields.encoding, fields.sample_rate, fields.container),
    );
  } catch {
    runtime.warner.warn('deepgram-speak-start', 'could not start metering a Deepgram speak call; it runs unmetered');
  }
  if (tracker === undefined) return original(request, requestOptions);
  const call = tracker;
  return meterFernPromise(
    invoke(() => original(request, requestOptions), call),
    {
      failed: (error) => call.end(error),
      parsed: (binary, headers) => {
        const billed = Number(headers?.get?.('dg-char-count'));
        call.characters(Number.isFinite(billed) && billed > 0 ? billed : characterCount(fields.text));
        if (typeof binary !== 'object' || binary === null) {
          call.end();
          return binary;
        }
        return meterBinaryResponse(binary, { chunk: (bytes) => call.audio(bytes), end: (error) => call.end(error) });
      },
    },
  );
}
