import { AgentMeterConfigError, classifyStatus } from '@agentmeter/core';
import { claimClient } from '@agentmeter/core/internal';
import { base64Bytes, cartesiaBytesPerSecond } from './audio-format.ts';
import { characterCount, invoke, modelOf, readFields, TtsTracker } from './calls.ts';
import { instrumentCartesiaWebSocket } from './cartesia-websocket.ts';
import { meterResponse, meterSdkStream } from './observe.ts';
import { wrapBound } from '@agentmeter/core/internal';
import { resolveSpeechOptions, type SpeechInstrumentOptions, type SpeechRuntime } from './options.ts';
import { meterAPIPromise } from './stainless.ts';

interface GenerateBody {
  model_id?: unknown;
  transcript?: unknown;
  output_format?: unknown;
}
interface SseEvent {
  type?: unknown;
  data?: unknown;
  status_code?: unknown;
}

/**
 * Meters a Cartesia client (`@cartesia/cartesia-js`) and returns the same client:
 * `tts.generate` (bytes: the Response body is metered in place), `tts.generateSSE` (the Stream
 * of chunk events), and `tts.websocket()` (each context of the socket is one call: first audio
 * chunk, `done`, errors and cancels). Audio seconds come from `output_format`.
 */
export function instrumentCartesia<C extends object>(client: C, options: SpeechInstrumentOptions): C {
  const runtime = resolveSpeechOptions('instrumentCartesia', options, 'cartesia');
  const tts = (client as { tts?: object }).tts;
  if (typeof tts !== 'object' || tts === null || typeof (tts as { generate?: unknown }).generate !== 'function') {
    throw new AgentMeterConfigError(
      'instrumentCartesia: pass a Cartesia client from @cartesia/cartesia-js (it has tts.generate).',
    );
  }
  // Wrapping twice changes nothing a scrape sees: the first wrap's options stay.
  if (!claimClient(client, 'instrumentCartesia', options)) return client;
  wrapBound(
    tts,
    'generate',
    (original) => (body, requestOptions) => meteredBytes(runtime, original, body, requestOptions),
  );
  wrapBound(
    tts,
    'generateSSE',
    (original) => (body, requestOptions) => meteredSse(runtime, original, body, requestOptions),
  );
  wrapBound(tts, 'websocket', (original) => (...args) => {
    const socket = original(...args);
    return socket instanceof Promise ? socket.then((ws: unknown) => instrumentCartesiaWebSocket(runtime, ws)) : socket;
  });
  return client;
}

function startCall(runtime: SpeechRuntime, body: unknown): { request: GenerateBody; tracker: TtsTracker | undefined } {
  const request: GenerateBody = readFields(body, ['model_id', 'transcript', 'output_format']);
  try {
    return {
      request,
      tracker: new TtsTracker(
        runtime,
        modelOf(request.model_id, 'unknown'),
        cartesiaBytesPerSecond(request.output_format),
      ),
    };
  } catch {
    runtime.warner.warn('cartesia-start', 'could not start metering a Cartesia call; it runs unmetered');
    return { request, tracker: undefined };
  }
}

function meteredBytes(
  runtime: SpeechRuntime,
  original: (...args: unknown[]) => unknown,
  body: unknown,
  requestOptions: unknown,
): unknown {
  const { request, tracker } = startCall(runtime, body);
  if (tracker === undefined) return original(body, requestOptions);
  return meterAPIPromise(
    invoke(() => original(body, requestOptions), tracker),
    {
      headers: () => tracker.characters(characterCount(request.transcript)),
      failed: (error) => tracker.end(error),
      parsed: (response) => {
        if (!(response instanceof Response)) {
          tracker.end();
          return response;
        }
        return meterResponse(response, { chunk: (bytes) => tracker.audio(bytes), end: (error) => tracker.end(error) });
      },
    },
  );
}

function meteredSse(
  runtime: SpeechRuntime,
  original: (...args: unknown[]) => unknown,
  body: unknown,
  requestOptions: unknown,
): unknown {
  const { request, tracker } = startCall(runtime, body);
  if (tracker === undefined) return original(body, requestOptions);
  const result = invoke(() => original(body, requestOptions), tracker);
  let failure: string | undefined;
  return meterAPIPromise(result, {
    headers: () => tracker.characters(characterCount(request.transcript)),
    failed: (error) => tracker.end(error),
    parsed: (stream) => {
      if (typeof stream !== 'object' || stream === null) {
        tracker.end();
        return stream;
      }
      return meterSdkStream(stream, {
        item: (event: SseEvent) => {
          if (event?.type === 'chunk') tracker.audio(base64Bytes(event.data));
          if (event?.type === 'error')
            failure = typeof event.status_code === 'number' ? classifyStatus(event.status_code) : 'stream_error';
        },
        end: (error) => tracker.end(error ?? failure),
      });
    },
  });
}
