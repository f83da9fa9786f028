import { CATALOG_KEYS, type AgentMeter, type CatalogKey } from '@agentmeter/core';
import fc from 'fast-check';
import { hostileAttributes, hostileError, hostileNumber, hostileString, hostileValue } from './hostile.ts';

/** One generated call of a public entry point; `run` returns how many entry points it called. */
export interface GeneratedCall {
  readonly entry: string;
  run(meter: AgentMeter): number;
}

/** Custom metric names: valid, invalid, colliding with the catalog, and pairs that map to one Prometheus name. */
export const CUSTOM_NAMES: readonly string[] = [
  'custom_events',
  'custom.events',
  'requests',
  'llm.requests',
  'llm_requests',
  'response_time',
  'x_total',
  'x',
  'seconds_total',
  'a.b',
  'a_b',
  '',
  '1bad',
  'bad name',
  '__reserved',
  'é',
  'x'.repeat(129),
];

// The loose signature every entry point is called through: the suite passes what TypeScript would refuse.
type Loose = (...args: unknown[]) => unknown;
const loose = (fn: unknown): Loose => fn as Loose;

const instrumentCall = fc
  .record({
    key: fc.constantFrom(...CATALOG_KEYS),
    bound: fc.boolean(),
    values: fc.array(fc.oneof({ weight: 4, arbitrary: hostileNumber }, { weight: 1, arbitrary: hostileValue }), {
      minLength: 1,
      maxLength: 4,
    }),
    attributes: hostileAttributes,
  })
  .map(({ key, bound, values, attributes }): GeneratedCall => ({
    entry: `instruments.${key}${bound ? '.bind()' : ''}`,
    run(meter) {
      const instrument = meter.instruments[key as CatalogKey] as unknown as Record<string, Loose>;
      const method = 'add' in instrument ? 'add' : 'record' in instrument ? 'record' : 'set';
      if (bound) {
        const handle = instrument['bind']!(attributes) as Record<string, Loose>;
        for (const value of values) handle[method]!(value);
        return 1 + values.length;
      }
      for (const value of values) instrument[method]!(value, attributes);
      return values.length;
    },
  }));

/** A started call's methods, called in any order and any number of times, with hostile arguments. */
const callSteps = fc.array(
  fc.tuple(
    fc.constantFrom('firstToken', 'firstAudio', 'usage', 'cost', 'characters', 'audioSeconds', 'end'),
    fc.oneof(
      hostileValue,
      hostileError,
      fc.record({ input: hostileValue, output: hostileValue, cached_input: hostileValue, reasoning: hostileValue }),
    ),
  ),
  { maxLength: 6 },
);

const startedCall = fc
  .record({
    start: fc.constantFrom('startLlmCall', 'startTtsCall', 'startSttCall', 'startDbQuery', 'startExternalApi'),
    attributes: hostileAttributes,
    steps: callSteps,
  })
  .map(({ start, attributes, steps }): GeneratedCall => ({
    entry: start,
    run(meter) {
      const call = loose(meter[start as keyof AgentMeter]).call(meter, attributes) as Record<string, unknown>;
      let count = 1;
      for (const [method, argument] of steps) {
        if (typeof call[method] !== 'function') continue;
        loose(call[method])(argument);
        count++;
      }
      return count;
    },
  }));

const recording = fc.oneof(
  fc.tuple(hostileAttributes, hostileValue).map(([attributes, usage]): GeneratedCall => ({
    entry: 'recordTokens',
    run: (meter) => (loose(meter.recordTokens)(attributes, usage), 1),
  })),
  fc.tuple(hostileAttributes, hostileValue).map(([attributes, usd]): GeneratedCall => ({
    entry: 'recordCost',
    run: (meter) => (loose(meter.recordCost)(attributes, usd), 1),
  })),
  hostileAttributes.map((attributes): GeneratedCall => ({
    entry: 'recordCacheOperation',
    run: (meter) => (loose(meter.recordCacheOperation)(attributes), 1),
  })),
  fc.tuple(hostileAttributes, hostileValue).map(([attributes, scores]): GeneratedCall => ({
    entry: 'recordConversationExchange',
    run: (meter) => (loose(meter.recordConversationExchange)(attributes, scores), 1),
  })),
  fc.tuple(hostileValue, hostileAttributes).map(([score, attributes]): GeneratedCall => ({
    entry: 'recordEngagement',
    run: (meter) => (loose(meter.recordEngagement)(score, attributes), 1),
  })),
  fc.tuple(hostileValue, hostileValue, hostileValue).map(([dependency, healthy, seconds]): GeneratedCall => ({
    entry: 'recordHealthCheck',
    run: (meter) => (loose(meter.recordHealthCheck)(dependency, healthy, seconds), 1),
  })),
  fc.tuple(hostileError, hostileAttributes).map(([error, attributes]): GeneratedCall => ({
    entry: 'trackError',
    run: (meter) => (loose(meter.trackError)(error, attributes), 1),
  })),
  fc.tuple(hostileAttributes, fc.nat(3)).map(([attributes, ends]): GeneratedCall => ({
    entry: 'startSession',
    run(meter) {
      const session = loose(meter.startSession)(attributes) as { end(): void };
      for (let i = 0; i < ends; i++) session.end();
      return 1 + ends;
    },
  })),
  fc
    .tuple(
      fc.constantFrom('increment', 'gauge', 'observe'),
      fc.oneof(fc.constantFrom(...CUSTOM_NAMES), hostileValue),
      hostileValue,
      hostileAttributes,
    )
    .map(([method, name, value, tags]): GeneratedCall => ({
      entry: method,
      run(meter) {
        if (method === 'increment') loose(meter.increment)(name, tags, value);
        else loose(meter[method])(name, value, tags);
        return 1;
      },
    })),
  fc.tuple(hostileValue, hostileValue, hostileValue).map(([a, b, c]): GeneratedCall => ({
    entry: 'decorators',
    run(meter) {
      const db = loose(meter.decorators.trackDbOperation)(a, b, c) as (method: Loose, context: unknown) => Loose;
      const api = loose(meter.decorators.trackExternalApi)(a, b) as (method: Loose, context: unknown) => Loose;
      db(() => 1, { kind: 'method', name: 'query' })();
      api(() => 2, { kind: 'method', name: 'fetch' })();
      return 4;
    },
  })),
);

/** Every recording entry point of the core meter, with hostile arguments. */
export const coreCall: fc.Arbitrary<GeneratedCall> = fc.oneof(
  { weight: 5, arbitrary: instrumentCall },
  { weight: 3, arbitrary: startedCall },
  { weight: 4, arbitrary: recording },
);

/** How a function given to a track* helper ends. */
export interface Outcome {
  readonly kind: 'return' | 'throw' | 'resolve' | 'reject';
  readonly value: unknown;
}
export const outcome: fc.Arbitrary<Outcome> = fc.record({
  kind: fc.constantFrom('return', 'throw', 'resolve', 'reject'),
  value: fc.oneof(hostileValue, hostileError, hostileString),
});

/** The helpers that run a function: each must hand back exactly what the function returned or threw. */
export const TRACK_HELPERS: readonly string[] = [
  'trackRequest',
  'trackLlmCall',
  'trackTtsCall',
  'trackSttCall',
  'trackDbQuery',
  'trackExternalApi',
  'trackContentGeneration',
  'time',
];

/** Calls a helper with a function ending as `outcome`; the inner callback also records hostile values. */
export function callHelper(
  meter: AgentMeter,
  helper: string,
  attributes: unknown,
  result: Outcome,
  inner: unknown,
): unknown {
  const fn = (context?: Record<string, unknown>): unknown => {
    if (context !== undefined && typeof context === 'object') {
      for (const method of Object.keys(context)) loose(context[method])(inner);
    }
    switch (result.kind) {
      case 'return':
        return result.value;
      case 'throw':
        throw result.value;
      case 'resolve':
        return Promise.resolve(result.value);
      case 'reject':
        return Promise.reject(result.value);
    }
  };
  if (helper === 'time') return loose(meter.time)(attributes, attributes, fn);
  return loose(meter[helper as keyof AgentMeter]).call(meter, attributes, fn);
}
