import { CATALOG } from '@agentmeter/core';
import fc from 'fast-check';

/**
 * The inputs a production service can hand an instrumentation SDK by mistake: every arbitrary
 * here is what the suite feeds to each public entry point.
 */

/** One megabyte of quotes, backslashes and newlines: the worst a label escaper can get. */
export const MEGABYTE: string = 'a"\\\n'.repeat(262_144);

/** Strings a Prometheus or OpenMetrics writer must escape, or that break naive UTF-8 handling. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '"',
  '\\',
  '\n',
  '\r\n',
  '\t',
  '\u0000',
  '{',
  '}',
  '=',
  ',',
  '#',
  'le="+Inf"',
  '"} 1\nfake_metric 2',
  '\uD800',
  '\uDFFF',
  'x\uD83Dy',
  '\uFEFF',
  '\u2028',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '__name__',
  'otel.metric.overflow',
  'x'.repeat(129),
  'x'.repeat(4_097),
  MEGABYTE,
];

/** Values shaped like credentials and prompts: none may ever become a label. */
export const SECRETS: readonly string[] = [
  'sk-proj-Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7d',
  'sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe',
  'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q',
  'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8',
  'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
  'Q2hhdEdQVCBzZWNyZXQgdG9rZW4gYWJjZGVmMTIzNDU2Nzg5MA',
];
/** Prompt text: long free text with spaces and punctuation. */
export const PROMPTS: readonly string[] = [
  'You are a helpful assistant. The user asks: what is my account password? It is hunter2, please remember it forever and ever, and repeat it back to me whenever I ask.',
  'Translate the following confidential memo into French: the merger closes on Friday and nobody may know before the press release, and the board has not been told yet either.',
];

/** Every attribute key the catalog knows, plus the extras the suite declares and keys it does not. */
export const KNOWN_KEYS: readonly string[] = [
  ...new Set(Object.values(CATALOG).flatMap((spec) => spec.attributes)),
  'scene',
  'character',
];
export const UNKNOWN_KEYS: readonly string[] = [
  'api_key',
  'authorization',
  'prompt',
  '__proto__',
  'constructor',
  'le',
  'a.b',
  '1x',
  '',
];

/** An object with a thousand distinct keys. */
export const THOUSAND_KEYS: Readonly<Record<string, string>> = Object.fromEntries(
  Array.from({ length: 1_000 }, (_, i) => [`key_${i}`, `value_${i}`]),
);

/** An object whose every property read throws, for the keys an SDK would read. */
export function throwingGetters(): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const key of new Set([
    ...KNOWN_KEYS,
    'then',
    'message',
    'status',
    'code',
    'name',
    'toString',
    'valueOf',
    'toJSON',
  ])) {
    Object.defineProperty(object, key, {
      enumerable: true,
      get: () => {
        throw new Error(`getter ${key} throws`);
      },
    });
  }
  return object;
}

/** A proxy whose every trap throws: reading, enumerating, even asking its prototype. */
function fail(): never {
  throw new Error('proxy trap throws');
}

export function throwingProxy(): Record<string, unknown> {
  return new Proxy(
    {},
    {
      // Symbol keys answer, so fast-check can look for its clone marker; every string key throws.
      get: (_target, key) => (typeof key === 'symbol' ? undefined : fail()),
      has: (_target, key) => (typeof key === 'symbol' ? false : fail()),
      ownKeys: fail,
      getOwnPropertyDescriptor: fail,
      getPrototypeOf: fail,
      set: fail,
      defineProperty: fail,
      deleteProperty: fail,
      apply: fail,
      construct: fail,
    },
  );
}

/** A proxy that pretends to hold every key, answering each read with a new random-looking value. */
export function shapeShiftingProxy(): Record<string, unknown> {
  let reads = 0;
  return new Proxy(
    {},
    {
      get: (_target, key) => (key === 'then' ? undefined : `v${reads++}`),
      has: () => true,
      ownKeys: () => ['provider', 'model', `k${reads}`],
      getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true, value: `v${reads++}` }),
    },
  );
}

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    1,
    -1,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    -1e-308,
    0.1,
    2 ** 31,
    -(2 ** 53),
  ),
  fc.double(),
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
);

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnitString = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  maxLength: 40,
});

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS, ...SECRETS, ...PROMPTS),
  codeUnitString,
  fc.string({ maxLength: 20 }),
  hostileNumber.map(String),
);

/** A value of any type where a number, a string or an object was expected. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileNumber },
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.bigInt() },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      null,
      undefined,
      true,
      false,
      Symbol('s'),
      () => 1,
      [],
      {},
      [1, 2],
      new Date(Number.NaN),
    ),
  },
  { weight: 1, arbitrary: fc.constant(null).map(() => throwingGetters()) },
  { weight: 1, arbitrary: fc.constant(null).map(() => throwingProxy()) },
  { weight: 1, arbitrary: fc.constant(null).map(() => shapeShiftingProxy()) },
);

/** Attribute objects: known keys with hostile values, unknown keys, a thousand keys, getters and proxies that throw. */
export const hostileAttributes: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.dictionary(fc.constantFrom(...KNOWN_KEYS, ...UNKNOWN_KEYS), hostileValue, { maxKeys: 6 }),
  },
  { weight: 3, arbitrary: fc.dictionary(fc.constantFrom(...KNOWN_KEYS), hostileString, { maxKeys: 6 }) },
  { weight: 1, arbitrary: fc.constant(THOUSAND_KEYS) },
  { weight: 1, arbitrary: fc.constant(null).map(() => ({ ...THOUSAND_KEYS, provider: 'p', model: 'm' })) },
  { weight: 2, arbitrary: hostileValue },
);

/** Errors a provider SDK might throw: real Errors with hostile fields, and things that are not Errors at all. */
export const hostileError: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .record({ message: hostileString, status: hostileValue, code: hostileValue, name: hostileString })
    .map((fields) =>
      Object.assign(new Error(String(fields.message)), { status: fields.status, code: fields.code, name: fields.name }),
    ),
  hostileValue,
);

/** True for the errors the suite's own throwing getters and proxies raise (passed through, not the SDK's). */
export function isOwnThrow(error: unknown): boolean {
  try {
    return error instanceof Error && /^(getter \S+ throws|proxy trap throws)$/.test(error.message);
  } catch {
    return false; // The throwing proxy itself, asked for its prototype.
  }
}

/** Values a driver may be handed as a parameter: every hostile kind except the shape-shifting proxy, whose reads differ each time. */
export const hostileParameter: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileNumber },
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }) },
  { weight: 2, arbitrary: fc.constantFrom(null, undefined, true, false, [], {}, [1, 'a']) },
  { weight: 1, arbitrary: fc.constant(null).map(() => throwingGetters()) },
  { weight: 1, arbitrary: fc.constant(null).map(() => throwingProxy()) },
);

/** Added to every property's seed: CI runs the fixed seeds; AGENTMETER_FUZZ_SEED explores others. */
export const FUZZ_SEED: number = Number(process.env['AGENTMETER_FUZZ_SEED'] ?? 0);
