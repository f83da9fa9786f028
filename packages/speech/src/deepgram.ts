import { AgentMeterConfigError } from '@agentmeter/core';
import { modelOf, SttTracker } from './calls.ts';
import { instrumentDeepgramLive } from './deepgram-live.ts';
import { meterFernPromise } from './fern.ts';
import { replaceMethod } from './observe.ts';
import { resolveSpeechOptions, type SpeechInstrumentOptions, type SpeechRuntime } from './options.ts';

/** Deepgram's default model when a request names none. */
export const DEEPGRAM_DEFAULT_MODEL = 'base';

interface PrerecordedResponse {
  metadata?: { duration?: unknown };
}

/**
 * Meters a DeepgramClient (`@deepgram/sdk` v5) and returns the same client: prerecorded
 * `listen.v1.media.transcribeFile` / `transcribeUrl` (audio seconds from `metadata.duration`),
 * and live `listen.v1.connect()` sockets (see `instrumentDeepgramLive`).
 */
export function instrumentDeepgram<C extends object>(client: C, options: SpeechInstrumentOptions): C {
  const runtime = resolveSpeechOptions('instrumentDeepgram', options, 'deepgram');
  let listen: object | undefined;
  try {
    listen = (client as { listen?: object }).listen;
  } catch {
    listen = undefined;
  }
  const v1Getter = listen === undefined ? undefined : findGetter(listen, 'v1');
  if (typeof listen !== 'object' || listen === null || v1Getter === undefined) {
    throw new AgentMeterConfigError('instrumentDeepgram: pass a DeepgramClient from @deepgram/sdk v5 (it has listen.v1).');
  }
  // The SDK builds a new listen.v1 client on every access; keep one, metered.
  let v1: object | undefined;
  Object.defineProperty(listen, 'v1', {
    configurable: true,
    get() {
      if (v1 === undefined) {
        v1 = v1Getter.call(listen) as object;
        meterListenV1(runtime, v1);
      }
      return v1;
    },
  });
  return client;
}

function meterListenV1(runtime: SpeechRuntime, v1: object): void {
  const media = (v1 as { media?: object }).media;
  if (typeof media === 'object' && media !== null) {
    replaceMethod(media, 'transcribeFile', (original) => (file, request, requestOptions) =>
      meteredPrerecorded(runtime, () => original(file, request, requestOptions), request));
    replaceMethod(media, 'transcribeUrl', (original) => (request, requestOptions) =>
      meteredPrerecorded(runtime, () => original(request, requestOptions), request));
  }
  replaceMethod(v1, 'connect', (original) => (args, ...rest) => {
    const socket = original(args, ...rest);
    return socket instanceof Promise ? socket.then((live: unknown) => instrumentDeepgramLive(runtime, live, args)) : socket;
  });
}

function meteredPrerecorded(runtime: SpeechRuntime, run: () => unknown, request: unknown): unknown {
  let tracker: SttTracker | undefined;
  try {
    tracker = new SttTracker(runtime, modelOf((request as { model?: unknown } | undefined)?.model, DEEPGRAM_DEFAULT_MODEL));
  } catch {
    runtime.warner.warn('deepgram-start', 'could not start metering a Deepgram call; it runs unmetered');
  }
  const result = run();
  if (tracker === undefined) return result;
  const call = tracker;
  return meterFernPromise(result, {
    failed: (error) => call.end(error),
    parsed: (data) => {
      const duration = (data as PrerecordedResponse | undefined)?.metadata?.duration;
      call.audioSeconds(typeof duration === 'number' ? duration : undefined);
      call.end();
      return data;
    },
  });
}

function findGetter(target: object, key: string): (() => unknown) | undefined {
  for (let proto: object | null = target; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, key);
    if (descriptor !== undefined) return descriptor.get ?? (() => descriptor.value);
  }
  return undefined;
}
