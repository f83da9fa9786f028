import { classifyError, classifyFailure, type SttCall, type TtsCall } from '@agentmeter/core';
import type { SpeechRuntime } from './options.ts';

import { activeTurn } from './turn-context.ts';

/** How to turn audio bytes into seconds: bytes per second and header bytes to skip. */
export interface ByteRate {
  readonly rate: number;
  readonly header: number;
}

/**
 * One text-to-speech call as the wrappers see it: audio chunks as they arrive, the billed
 * characters, and the end. Marks the active voice turn's first agent audio. Never throws.
 */
export class TtsTracker {
  readonly #runtime: SpeechRuntime;
  readonly #model: string;
  readonly #call: TtsCall;
  readonly #turn = activeTurn();
  #bytes = 0;
  #characters: number | undefined;
  #ended = false;
  byteRate: ByteRate | undefined;

  constructor(runtime: SpeechRuntime, model: string, byteRate?: ByteRate) {
    this.#runtime = runtime;
    this.#model = model;
    this.#call = runtime.meter.startTtsCall({ provider: runtime.provider, model });
    this.byteRate = byteRate;
  }

  /** Audio arrived: the first non-empty chunk is the first audio. */
  audio(bytes: number): void {
    if (this.#ended || typeof bytes !== 'number' || !(bytes > 0) || !Number.isFinite(bytes)) return;
    if (this.#bytes === 0) {
      this.#call.firstAudio();
      this.#turn?.agentAudioStarted();
    }
    this.#bytes += bytes;
  }

  /** Characters the provider bills for this call (streamed inputs add up). */
  characters(count: number): void {
    if (this.#ended || typeof count !== 'number' || !(count > 0) || !Number.isFinite(count)) return;
    this.#characters = (this.#characters ?? 0) + count;
    this.#call.characters(count);
  }

  /** Ends the call: on success records audio seconds (when the format says) and cost. */
  end(error?: unknown, audioSeconds?: number): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      if (error === undefined) {
        const seconds = audioSeconds ?? this.#secondsFromBytes();
        if (typeof seconds === 'number' && seconds > 0 && Number.isFinite(seconds)) this.#call.audioSeconds(seconds);
        const usd = this.#runtime.pricing?.cost({
          provider: this.#runtime.provider,
          model: this.#model,
          characters: this.#characters,
          seconds,
        });
        if (usd !== undefined && usd > 0) this.#call.cost(usd);
      }
    } catch {
      this.#runtime.warner.warn('speech-tts-end', 'a text-to-speech call could not record its usage; dropped');
    }
    this.#call.end(normalizeError(error));
  }

  #secondsFromBytes(): number | undefined {
    const rate = this.byteRate;
    if (rate === undefined || this.#bytes === 0) return undefined;
    return Math.max(0, this.#bytes - rate.header) / rate.rate;
  }
}

/** One speech-to-text call: audio seconds transcribed, cost, and the end. Never throws. */
export class SttTracker {
  readonly #runtime: SpeechRuntime;
  readonly #model: string;
  readonly #priceModel: string;
  readonly #call: SttCall;
  #ended = false;

  /** `priceModel` looks up a different price row (e.g. `nova-3-streaming`) than the label. */
  constructor(runtime: SpeechRuntime, model: string, priceModel: string = model) {
    this.#runtime = runtime;
    this.#model = model;
    this.#priceModel = priceModel;
    this.#call = runtime.meter.startSttCall({ provider: runtime.provider, model });
  }

  /** Seconds of audio transcribed, recorded with their cost; may be called as results arrive. */
  audioSeconds(seconds: number | undefined): void {
    if (this.#ended || typeof seconds !== 'number' || !(seconds > 0) || !Number.isFinite(seconds)) return;
    this.#call.audioSeconds(seconds);
    const usd = this.#runtime.pricing?.cost({ provider: this.#runtime.provider, model: this.#priceModel, seconds });
    if (usd !== undefined && usd > 0) this.#call.cost(usd);
  }

  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#call.end(normalizeError(error));
  }

  get model(): string {
    return this.#model;
  }
}

/**
 * Fern-generated SDKs (ElevenLabs, Deepgram) reject a timed-out request with a plain error whose
 * `cause` is the string 'timeout', and a caller's abort with a plain error whose `cause` is the
 * AbortError, which no class name or status gives away: name them here.
 */
export function normalizeError(error: unknown): unknown {
  try {
    const cause = typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
    if (cause === 'timeout') return 'timeout';
    // undici ends a body cut off after the headers with its fixed TypeError 'terminated', which
    // Fern passes on as the cause: the body phase of core's rule, so stream_error.
    if (
      typeof cause === 'object' &&
      cause !== null &&
      (cause as { name?: unknown }).name === 'TypeError' &&
      (cause as { message?: unknown }).message === 'terminated'
    )
      return classifyFailure(error, 'body');
    // Only where nothing else names the error: a Stainless timeout also carries its AbortError.
    if (
      typeof cause === 'object' &&
      cause !== null &&
      (cause as { name?: unknown }).name === 'AbortError' &&
      classifyError(error) === 'other'
    )
      return 'cancelled';
  } catch {
    // A hostile error object is classified by core as it is.
  }
  return error;
}

/** Calls the client's method; a synchronous throw ends the call as failed and is rethrown untouched. */
export function invoke(run: () => unknown, call: { end(error?: unknown): void }): unknown {
  try {
    return run();
  } catch (error) {
    call.end(error ?? new Error('thrown'));
    throw error;
  }
}

/** Reads the named fields once into a plain object; a throwing getter leaves its field out. */
export function readFields<K extends string>(value: unknown, keys: readonly K[]): Partial<Record<K, unknown>> {
  const fields: Partial<Record<K, unknown>> = {};
  if (typeof value !== 'object' || value === null) return fields;
  for (const key of keys) {
    try {
      fields[key] = (value as Record<K, unknown>)[key];
    } catch {
      // Hostile getters are skipped; the client sees the same object either way.
    }
  }
  return fields;
}

/** A model label from a request field: a non-empty string, else the fallback. */
export function modelOf(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** Code points in a string (providers bill characters, not UTF-16 units); 0 for non-strings. */
export function characterCount(text: unknown): number {
  if (typeof text !== 'string') return 0;
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) count--;
  }
  return count;
}

/** The taxonomy type of an abnormal WebSocket close (Deepgram's codes and reasons included). */
export function errorTypeOfClose(code: number | undefined, reason: string | undefined): string {
  // Deepgram closes with 1011 and NET-0001 when it received no audio in time.
  if (code === 1011 && typeof reason === 'string' && reason.startsWith('NET-0001')) return 'timeout';
  if (code === 1011) return 'server_error';
  if (code === 1008 || code === 1007 || code === 1003) return 'bad_request';
  if (code === 4001 || code === 4003) return 'auth';
  if (code === 4029) return 'rate_limit';
  // Any other close of an open socket (1006: dropped without a close frame) cuts the stream.
  return 'stream_error';
}
