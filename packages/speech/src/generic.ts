import { runTracked } from '@agentmeter/core/internal';
import { characterCount, modelOf, SttTracker, TtsTracker, type ByteRate } from './calls.ts';
import { meterReadableStream } from './observe.ts';
import { resolveSpeechOptions, type SpeechInstrumentOptions, type SpeechRuntime } from './options.ts';

/** What a text-to-speech call is: labels, and the text (only counted, never a label). */
export interface SynthesisAttributes {
  provider: string;
  model: string;
  /** The text sent; its characters are counted and priced. */
  text?: string;
  /** Or the billed characters, when the provider reports them. */
  characters?: number;
}

export interface SynthesisCall {
  /** Marks audio out: the first call with bytes > 0 is the first audio. */
  audio(bytes: number): void;
  /** Seconds of audio produced, when known (else derived from `bytesPerSecond` of `stream`). */
  audioSeconds(seconds: number): void;
  /**
   * Meters an audio stream and defers the end of the call to the stream's end: return it from
   * the function. `bytesPerSecond` turns its bytes into audio seconds.
   */
  stream(source: ReadableStream<Uint8Array>, bytesPerSecond?: number): ReadableStream<Uint8Array>;
}

export interface TranscriptionAttributes {
  provider: string;
  model: string;
}

export interface TranscriptionCall {
  /** Seconds of audio transcribed (priced per second or minute as the provider bills). */
  audioSeconds(seconds: number): void;
}

export interface SpeechTracker {
  /** Records a TTS call made with any client: `(attributes, fn)` like the meter's helpers. */
  trackSynthesis<T>(attributes: SynthesisAttributes, fn: (call: SynthesisCall) => T): T;
  /** Records an STT call made with any client. */
  trackTranscription<T>(attributes: TranscriptionAttributes, fn: (call: TranscriptionCall) => T): T;
}

/**
 * Generic TTS and STT helpers for clients without a wrapper (or raw HTTP): the same metrics,
 * cost from the price table, and first-audio marks on the active voice turn.
 */
export function createSpeechTracker(options: Omit<SpeechInstrumentOptions, 'provider'>): SpeechTracker {
  const runtime = resolveSpeechOptions('createSpeechTracker', options, 'unknown');
  return {
    // A missing function is nothing to run or meter: one warning, and the caller gets undefined.
    trackSynthesis: (attributes, fn) =>
      typeof fn === 'function' ? trackSynthesis(runtime, attributes, fn) : notRun(runtime, 'trackSynthesis'),
    trackTranscription: (attributes, fn) =>
      typeof fn === 'function' ? trackTranscription(runtime, attributes, fn) : notRun(runtime, 'trackTranscription'),
  };
}

function runtimeFor(runtime: SpeechRuntime, attributes: unknown): SpeechRuntime {
  const provider = (attributes as { provider?: unknown } | undefined)?.provider;
  return { ...runtime, provider: typeof provider === 'string' && provider !== '' ? provider : 'unknown' };
}

function notRun(runtime: SpeechRuntime, helper: string): never {
  runtime.warner.warn(`not-run:${helper}`, `${helper} takes a function to run as its last argument; nothing ran`);
  return undefined as never;
}

function trackSynthesis<T>(base: SpeechRuntime, attributes: SynthesisAttributes, fn: (call: SynthesisCall) => T): T {
  let tracker: TtsTracker;
  try {
    tracker = new TtsTracker(runtimeFor(base, attributes), modelOf(attributes?.model, 'unknown'));
    const reported = attributes?.characters;
    tracker.characters(typeof reported === 'number' ? reported : characterCount(attributes?.text));
  } catch {
    base.warner.warn('speech-synthesis-start', 'trackSynthesis could not start metering; the call runs unmetered');
    return fn({ audio: () => {}, audioSeconds: () => {}, stream: (source) => source });
  }
  let deferred = false;
  let seconds: number | undefined;
  const call: SynthesisCall = {
    audio: (bytes) => tracker.audio(bytes),
    audioSeconds: (value) => {
      if (typeof value === 'number' && value > 0 && Number.isFinite(value)) seconds = (seconds ?? 0) + value;
    },
    stream: (source, bytesPerSecond) => {
      if (!(source instanceof ReadableStream)) return source;
      deferred = true;
      if (typeof bytesPerSecond === 'number' && bytesPerSecond > 0 && Number.isFinite(bytesPerSecond)) {
        tracker.byteRate = { rate: bytesPerSecond, header: 0 } satisfies ByteRate;
      }
      return meterReadableStream(source, {
        chunk: (bytes) => tracker.audio(bytes),
        end: (error) => tracker.end(error, seconds),
      });
    },
  };
  return runTracked(
    () => fn(call),
    (error) => {
      if (error !== undefined || !deferred) tracker.end(error, seconds);
    },
  );
}

function trackTranscription<T>(
  base: SpeechRuntime,
  attributes: TranscriptionAttributes,
  fn: (call: TranscriptionCall) => T,
): T {
  let tracker: SttTracker;
  try {
    tracker = new SttTracker(runtimeFor(base, attributes), modelOf(attributes?.model, 'unknown'));
  } catch {
    base.warner.warn(
      'speech-transcription-start',
      'trackTranscription could not start metering; the call runs unmetered',
    );
    return fn({ audioSeconds: () => {} });
  }
  return runTracked(
    () => fn({ audioSeconds: (seconds) => tracker.audioSeconds(seconds) }),
    (error) => tracker.end(error),
  );
}
