/**
 * A stand-in for any SDK client, pool, server or app: every property is another such object and
 * every call returns the next value of a fixed list of hostile results (or throws the caller's
 * own error), so a wrapper that reads `client.chat.completions.create` or `pool.query` finds a
 * function and then meets whatever a broken SDK could hand back.
 */
export class OwnError extends Error {
  constructor() {
    super('the client threw this (the caller must get it back unchanged)');
  }
}

const RESULTS: readonly (() => unknown)[] = [
  () => undefined,
  () => null,
  () => ({
    usage: { prompt_tokens: Number.NaN, completion_tokens: -1, total_tokens: Infinity },
    model: '\u0000'.repeat(200),
  }),
  () => Promise.resolve({ usage: { input_tokens: '12', output_tokens: 2 ** 60 } }),
  () => {
    // Marked handled at birth: when a wrapper only reads this as a property or ignores a return, the
    // rejection belongs to the fake client and nobody is owed it. Awaiting it still throws, and a
    // promise a wrapper derives from it and then drops is still reported as unhandled.
    const rejected = Promise.reject(new OwnError());
    rejected.catch(() => undefined);
    return rejected;
  },
  () => {
    throw new OwnError();
  },
  () =>
    new Proxy(
      {},
      {
        get: (_target, key) =>
          key === 'then'
            ? undefined
            : (() => {
                throw new Error('getter of a returned object throws');
              })(),
      },
    ),
  () => ({ rows: [{ ok: 1 }], rowCount: Number.NaN, [Symbol.asyncIterator]: undefined }),
  () => 'x'.repeat(100_000),
  () => 42n,
];

/** Builds one: `seed` picks where in RESULTS its calls start, so runs differ. */
export function anyClient(seed: number): Record<string, unknown> {
  let calls = seed;
  const make = (depth: number): Record<string, unknown> => {
    const stored = new Map<PropertyKey, unknown>();
    const children = new Map<PropertyKey, unknown>();
    return new Proxy(() => {}, {
      get: (_target, key) => {
        if (stored.has(key)) return stored.get(key);
        if (typeof key === 'symbol' || key === 'then' || key === 'toJSON' || depth > 6) return undefined;
        let child = children.get(key);
        if (child === undefined) {
          child = make(depth + 1);
          children.set(key, child);
        }
        return child;
      },
      set: (_target, key, value) => {
        stored.set(key, value);
        return true;
      },
      has: () => true,
      apply: () => RESULTS[calls++ % RESULTS.length]!(),
      construct: () => make(depth + 1) as object,
    }) as unknown as Record<string, unknown>;
  };
  return make(0);
}

/** Method paths the wrappers patch on the clients they instrument, called on what they return. */
export const CLIENT_METHODS: readonly string[] = [
  'chat.completions.create',
  'responses.create',
  'embeddings.create',
  'messages.create',
  'messages.stream',
  'models.generateContent',
  'models.generateContentStream',
  'models.embedContent',
  'audio.speech.create',
  'audio.transcriptions.create',
  'textToSpeech.convert',
  'textToSpeech.stream',
  'tts.generate',
  'tts.generateSSE',
  'tts.bytes',
  'listen.v1.media.transcribeFile',
  'listen.prerecorded.transcribeFile',
  'query',
  'execute',
  'exec',
  'prepare',
  'get',
  'set',
  'send',
  'on',
  'emit',
  'connect',
  'release',
  'transaction',
  'sendCommand',
  'route',
  'use',
  'addHook',
  'fetch',
  'request',
];

/** The function at `path` on `object`, if reading it does not throw. */
export function methodAt(object: unknown, path: string): ((...args: unknown[]) => unknown) | undefined {
  try {
    let owner: unknown;
    let value: unknown = object;
    for (const part of path.split('.')) {
      if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
      owner = value;
      value = (value as Record<string, unknown>)[part];
    }
    return typeof value === 'function'
      ? (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(owner, args)
      : undefined;
  } catch {
    return undefined;
  }
}
