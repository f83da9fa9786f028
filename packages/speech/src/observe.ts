/**
 * Observing what a client returns without changing it: byte streams, Response bodies, SDK
 * stream objects and promise-like results. Observers never throw into the consumer.
 */
import { classifyFailure } from '@agentmeter/core';
import { observeIterator, safely as safe } from '@agentmeter/core/internal';
import { normalizeError } from './calls.ts';

/**
 * A failure while a body or stream was flowing, as the shared taxonomy names it: a dropped
 * connection or unreadable data is `stream_error` (not `connection`, which is for failures
 * before any response); a caller's abort stays `cancelled` and a timeout `timeout`.
 */
export function midStream(error: unknown): unknown {
  const normalized = normalizeError(error);
  return typeof normalized === 'string' ? normalized : classifyFailure(normalized, 'body');
}

export interface ByteObserver {
  chunk(bytes: number): void;
  /** Called once: no argument when the stream ended or the consumer cancelled it. */
  end(error?: unknown): void;
}

/**
 * A ReadableStream that passes `source` through chunk by chunk and reports each chunk's size.
 * It pulls one chunk ahead (the default high-water mark), so the first audio byte is seen when
 * it arrives rather than when the consumer first reads.
 */
export function meterReadableStream(
  source: ReadableStream<Uint8Array>,
  observer: ByteObserver,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let settled = false;
  const settle = (error?: unknown): void => {
    if (settled) return;
    settled = true;
    safe(() => observer.end(error));
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: Awaited<ReturnType<typeof reader.read>>;
      try {
        result = await reader.read();
      } catch (error) {
        settle(midStream(error));
        controller.error(error);
        return;
      }
      if (result.done) {
        settle();
        controller.close();
        return;
      }
      safe(() => observer.chunk(result.value?.byteLength ?? 0));
      controller.enqueue(result.value);
    },
    cancel(reason) {
      // A consumer that stops listening (a barge-in, say) ends the call; it is not a failure.
      settle();
      return reader.cancel(reason);
    },
  });
}

const BODY_METHODS = ['arrayBuffer', 'blob', 'bytes', 'formData', 'json', 'text'] as const;

/**
 * Meters a fetch Response's body in place: the same Response object, whose `body` and body
 * methods read through the metered stream. A Response without a body ends at once.
 */
export function meterResponse<R extends Response>(response: R, observer: ByteObserver): R {
  try {
    const source = response.body;
    if (source === null) {
      observer.end();
      return response;
    }
    const metered = meterReadableStream(source, observer);
    const view = new Response(metered, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    readThrough(response, view, {
      body: { configurable: true, get: () => view.body },
      clone: { configurable: true, writable: true, value: () => view.clone() },
    });
  } catch {
    // A frozen or exotic Response stays as it is; the call ends when it resolved.
    safe(() => observer.end());
  }
  return response;
}

/**
 * Meters a Fern BinaryResponse (Deepgram's `{ stream(), arrayBuffer(), blob(), bytes(), bodyUsed }`)
 * in place: the same object, whose methods read through the metered stream.
 */
export function meterBinaryResponse<B extends object>(binary: B, observer: ByteObserver): B {
  try {
    const source = (binary as { stream?: () => unknown }).stream?.();
    if (!(source instanceof ReadableStream)) {
      observer.end();
      return binary;
    }
    const view = new Response(meterReadableStream(source as ReadableStream<Uint8Array>, observer));
    readThrough(binary, view, { stream: { configurable: true, writable: true, value: () => view.body } });
  } catch {
    safe(() => observer.end());
  }
  return binary;
}

/** Points `target`'s body methods (those it has) and `bodyUsed` at `view`, plus `extra`. */
function readThrough(target: object, view: Response, extra: PropertyDescriptorMap): void {
  const properties: PropertyDescriptorMap = { ...extra, bodyUsed: { configurable: true, get: () => view.bodyUsed } };
  for (const method of BODY_METHODS) {
    if (method in target)
      properties[method] = {
        configurable: true,
        writable: true,
        value: () => (view as unknown as Record<string, () => unknown>)[method]!(),
      };
  }
  Object.defineProperties(target, properties);
}

export interface IteratorObserver<T> {
  item(value: T): void;
  end(error?: unknown): void;
}

/** Observes an async iterator in place (the kit's `observeIterator`): the end, a throw or an early return ends it. */
export function meterIterator<T>(iterator: AsyncIterator<T>, observer: IteratorObserver<T>): AsyncIterator<T> {
  return observeIterator(iterator, {
    item: (value) => observer.item(value as T),
    done: () => observer.end(),
    error: (error) => observer.end(midStream(error)),
    returned: () => observer.end(),
  });
}

/**
 * Meters an SDK Stream object (openai, Cartesia) in place: both keep their source in an
 * `iterator` factory that iteration, `tee()` and `toReadableStream()` all call.
 */
export function meterSdkStream<S extends object, T>(stream: S, observer: IteratorObserver<T>): S {
  const target = stream as { iterator?: unknown };
  if (typeof target.iterator !== 'function') {
    safe(() => observer.end());
    return stream;
  }
  const original = target.iterator as () => AsyncIterator<T>;
  target.iterator = () => meterIterator(original.call(stream), observer);
  return stream;
}
