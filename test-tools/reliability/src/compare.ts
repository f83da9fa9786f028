import { isOwnThrow } from './hostile.ts';

/** What a call produced, in a form two clients' results can be compared by. */
export type Settled = { readonly ok: unknown } | { readonly error: Readonly<Record<string, unknown>> };

// Fields a simulator or SDK fills per request (ids, clocks), which differ between any two calls.
const VOLATILE = new Set([
  'id',
  'created',
  'created_at',
  'createdAt',
  'responseId',
  'request_id',
  '_request_id',
  'requestId',
  'sdkHttpResponse',
  'date',
  'x-request-id',
  'elapsed',
  'duration',
]);

/** A JSON-like copy without volatile fields; streams and iterables are read to the end. */
export function normalize(value: unknown, depth = 0): unknown {
  try {
    return copy(value, depth);
  } catch {
    // Throwing getters and proxies: both sides of a comparison read them the same way.
    return '<unreadable>';
  }
}

function copy(value: unknown, depth: number): unknown {
  if (depth > 8) return '<deep>';
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? '<function>' : value;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return `<${value.byteLength} bytes>`;
  if (Array.isArray(value)) return value.map((item) => normalize(item, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // Functions are behaviour, not data; wrappers that patch an instance add their own.
    if (!VOLATILE.has(key) && typeof item !== 'function') result[key] = normalize(item, depth + 1);
  }
  return result;
}

/** The parts of an error a caller may look at: its class, status, code and message. */
export function describeError(error: unknown): Record<string, unknown> {
  try {
    if (!(error instanceof Error)) return { thrown: normalize(error) };
    const fields = error as Error & { status?: unknown; code?: unknown; type?: unknown };
    return {
      class: error.constructor.name,
      name: error.name,
      status: normalize(fields.status),
      code: normalize(fields.code),
      // Messages may carry a request id or port that differs between the two calls.
      message: String(error.message).replace(/req_[A-Za-z0-9]+|127\.0\.0\.1:\d+/g, '<volatile>'),
    };
  } catch {
    return { unreadable: true };
  }
}

const identities = new WeakMap<object, number>();
let nextIdentity = 1;
/** The same number for the same object: in-process comparisons check identity, not content. */
export function identityOf(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return normalize(value);
  // A throwing getter makes a new Error on every read (awaiting reads `then`): compare its message.
  if (isOwnThrow(value)) return { ownThrow: (value as Error).message };
  let id = identities.get(value);
  if (id === undefined) identities.set(value, (id = nextIdentity++));
  return { identity: id };
}

/** Runs `call` and records the value or error by identity (for functions that hand back the same objects). */
export async function settleByIdentity(call: () => unknown): Promise<Settled> {
  let returned: unknown;
  try {
    returned = call();
  } catch (error) {
    return { error: { thrown: identityOf(error) } };
  }
  try {
    return { ok: { returned: identityOf(returned), value: identityOf(await returned) } };
  } catch (error) {
    return { error: { returned: identityOf(returned), rejected: identityOf(error) } };
  }
}

/** Runs `call`, reading a stream result (anything async-iterable) to the end. */
export async function settle(call: () => unknown): Promise<Settled> {
  let returned = '';
  try {
    // What the call hands back before it settles (an APIPromise, a stream object) must be the same class.
    const promise = call();
    returned = className(promise);
    const result = await promise;
    if (result !== null && typeof result === 'object' && Symbol.asyncIterator in result) {
      const chunks: unknown[] = [];
      try {
        // Byte chunks are counted, not listed: the network splits them differently on every call.
        let bytes = 0;
        for await (const chunk of result as AsyncIterable<unknown>) {
          if (chunk instanceof Uint8Array) bytes += chunk.byteLength;
          else chunks.push(normalize(chunk));
        }
        if (bytes > 0) chunks.push(`<${bytes} bytes>`);
      } catch (error) {
        return { error: { ...describeError(error), returned, streamClass: className(result), afterChunks: chunks } };
      }
      return { ok: { returned, streamClass: className(result), stream: chunks } };
    }
    return { ok: { returned, class: className(result), value: normalize(result) } };
  } catch (error) {
    return { error: { ...describeError(error), returned } };
  }
}

function className(value: unknown): string {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return typeof value;
  return (value as { constructor?: { name?: string } }).constructor?.name ?? 'Object';
}
