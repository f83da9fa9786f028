import { AgentMeterConfigError, classifyFailure } from '@agentmeter/core';
import { claimClient } from '@agentmeter/core/internal';
import { invoke, modelOf, readFields, SttTracker } from './calls.ts';
import { instrumentDeepgramLive } from './deepgram-live.ts';
import { meteredSpeak } from './deepgram-speak.ts';
import { meterFernPromise } from './fern.ts';
import { wrapBound } from '@agentmeter/core/internal';
import { resolveSpeechOptions, type SpeechInstrumentOptions, type SpeechRuntime } from './options.ts';

/** Deepgram's default model when a request names none. */
export const DEEPGRAM_DEFAULT_MODEL = 'base';

interface PrerecordedResponse {
  metadata?: { duration?: unknown };
}

/**
 * Meters a DeepgramClient (`@deepgram/sdk` v5) and returns the same client: prerecorded
 * `listen.v1.media.transcribeFile` / `transcribeUrl` (audio seconds from `metadata.duration`),
 * live `listen.v1.connect()` sockets (see `instrumentDeepgramLive`), and Aura text-to-speech
 * `speak.v1.audio.generate`.
 */
export function instrumentDeepgram<C extends object>(client: C, options: SpeechInstrumentOptions): C {
  const runtime = resolveSpeechOptions('instrumentDeepgram', options, 'deepgram');
  const listen = (client as { listen?: unknown } | null)?.listen;
  if (typeof listen !== 'object' || listen === null || findGetter(listen, 'v1') === undefined) {
    throw new AgentMeterConfigError(
      'instrumentDeepgram: pass a DeepgramClient from @deepgram/sdk v5 (it has listen.v1).',
    );
  }
  // Wrapping twice changes nothing a scrape sees: the first wrap's options stay.
  if (!claimClient(client, 'instrumentDeepgram', options)) return client;
  meterVersion(client, 'listen', (v1) => meterListenV1(runtime, v1));
  meterVersion(client, 'speak', (v1) => {
    const audio = (v1 as { audio?: object }).audio;
    if (typeof audio !== 'object' || audio === null) return;
    wrapBound(
      audio,
      'generate',
      (original) => (request, requestOptions) => meteredSpeak(runtime, original, request, requestOptions),
    );
  });
  return client;
}

/**
 * The SDK builds a new `<resource>.v1` client on every access: replace the getter with one that
 * builds it once, metered. False when the client has no such resource.
 */
function meterVersion(client: object, resource: string, meter: (v1: object) => void): boolean {
  let parent: unknown;
  try {
    parent = (client as Record<string, unknown>)[resource];
  } catch {
    return false;
  }
  if (typeof parent !== 'object' || parent === null) return false;
  const getter = findGetter(parent, 'v1');
  if (getter === undefined) return false;
  let v1: object | undefined;
  Object.defineProperty(parent, 'v1', {
    configurable: true,
    get() {
      if (v1 === undefined) {
        v1 = getter.call(parent) as object;
        meter(v1);
      }
      return v1;
    },
  });
  return true;
}

function meterListenV1(runtime: SpeechRuntime, v1: object): void {
  const media = (v1 as { media?: object }).media;
  if (typeof media === 'object' && media !== null) {
    wrapBound(
      media,
      'transcribeFile',
      (original) => (file, request, requestOptions) =>
        meteredPrerecorded(runtime, () => original(file, request, requestOptions), request),
    );
    wrapBound(
      media,
      'transcribeUrl',
      (original) => (request, requestOptions) =>
        meteredPrerecorded(runtime, () => original(request, requestOptions), request),
    );
  }
  wrapBound(v1, 'connect', (original) => (args, ...rest) => {
    const socket = original(args, ...rest);
    return socket instanceof Promise
      ? socket.then((live: unknown) => instrumentDeepgramLive(runtime, live, args))
      : socket;
  });
}

function meteredPrerecorded(runtime: SpeechRuntime, run: () => unknown, request: unknown): unknown {
  let tracker: SttTracker | undefined;
  try {
    tracker = new SttTracker(runtime, modelOf(readFields(request, ['model']).model, DEEPGRAM_DEFAULT_MODEL));
  } catch {
    runtime.warner.warn('deepgram-start', 'could not start metering a Deepgram call; it runs unmetered');
  }
  if (tracker === undefined) return run();
  const call = tracker;
  const result = invoke(run, call);
  return meterFernPromise(result, {
    failed: (error) => call.end(error),
    parsed: (data) => {
      // Fern hands back a body that is not JSON as { ok: false, error: { reason: 'non-json' } }
      // instead of throwing: the response broke after it started, so core's body phase.
      if (notJson(data)) {
        call.end(classifyFailure(undefined, 'body'));
        return data;
      }
      const duration = (data as PrerecordedResponse | undefined)?.metadata?.duration;
      call.audioSeconds(typeof duration === 'number' ? duration : undefined);
      call.end();
      return data;
    },
  });
}

function notJson(data: unknown): boolean {
  const failure = data as { ok?: unknown; error?: { reason?: unknown } } | null | undefined;
  return (
    typeof failure === 'object' && failure !== null && failure.ok === false && failure.error?.reason === 'non-json'
  );
}

function findGetter(target: object, key: string): (() => unknown) | undefined {
  for (let proto: object | null = target; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, key);
    if (descriptor !== undefined) return descriptor.get ?? (() => descriptor.value);
  }
  return undefined;
}
