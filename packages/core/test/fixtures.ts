/** Values every recording entry point must survive (the sdk-metrics test-util idea, extended). */
export const BAD_NUMBERS: readonly unknown[] = [
  NaN,
  Infinity,
  -Infinity,
  -1,
  -0.5,
  '5',
  '',
  null,
  undefined,
  true,
  {},
  [],
  10n,
  Symbol('x'),
  { valueOf: () => 3 },
  () => 1,
];

const throwingGetter = Object.defineProperty({}, 'provider', {
  enumerable: true,
  get() {
    throw new Error('getter that throws');
  },
});
const hostileProxy = new Proxy(
  {},
  {
    get() {
      throw new Error('proxy get');
    },
    ownKeys() {
      throw new Error('proxy ownKeys');
    },
  },
);

export const BAD_ATTRIBUTES: readonly unknown[] = [
  null,
  undefined,
  'scene',
  42,
  [],
  throwingGetter,
  hostileProxy,
  { provider: 'a"b\\c\nd', model: '\ud800lone surrogate', operation: 'x'.repeat(1_000_000) },
  { unknown_key: 'x', another: 'y' },
  Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`key_${i}`, `value_${i}`])),
  { provider: { nested: true }, model: Symbol('s'), status: 12n },
];
