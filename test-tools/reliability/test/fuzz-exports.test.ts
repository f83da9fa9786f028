import { AgentMeterConfigError, createAgentMeter } from '@agentmeter/core';
import * as db from '@agentmeter/db';
import * as llm from '@agentmeter/llm';
import * as node from '@agentmeter/node';
import * as prometheus from '@agentmeter/prometheus';
import * as speech from '@agentmeter/speech';
import { MetricReader } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { anyClient, CLIENT_METHODS, methodAt, OwnError } from '../src/any-client.ts';
import { reportFigure } from '../src/figures.ts';
import { FUZZ_SEED, hostileAttributes, hostileValue } from '../src/hostile.ts';

/**
 * Issue 14: every exported function of db, llm, speech, node and prometheus, found by reading
 * each package's index (so a new export is fuzzed without editing this file), called with
 * hostile arguments; then every function or method it hands back (wrapped clients' methods,
 * trackers, returned checks and handlers) called the same way. The only outcomes allowed:
 * a return; AgentMeterConfigError, thrown at once by a creation function (the list below, as
 * documented in docs/configuration.md); the caller's own error (OwnError, from a callback or a
 * client the caller passed) handed back unchanged. Anything else thrown or rejected fails.
 */
const PACKAGES: Readonly<Record<string, Record<string, unknown>>> = {
  '@agentmeter/db': db,
  '@agentmeter/llm': llm,
  '@agentmeter/speech': speech,
  '@agentmeter/node': node,
  '@agentmeter/prometheus': prometheus,
};
/** Functions documented to refuse bad configuration at creation with AgentMeterConfigError. */
const CREATION = new Set([
  'createCacheTracker',
  'createQueryTracker',
  'instrumentBetterSqlite3',
  'instrumentIoredis',
  'instrumentMysql2',
  'instrumentPg',
  'instrumentPGlite',
  'instrumentOpenAI',
  'instrumentAnthropic',
  'instrumentGoogleGenAI',
  'instrumentLlmFunction',
  'instrumentOpenAIRealtime',
  'instrumentGeminiLive',
  'instrumentCartesia',
  'instrumentDeepgram',
  'instrumentElevenLabs',
  'instrumentOpenAIAudio',
  'createSpeechTracker',
  'createVoiceTurns',
  'start',
  'instrumentWebSocketServer',
  'instrumentFastify',
  'instrumentHono',
  'PrometheusExporter',
  'fastifyMetrics',
  'honoMetrics',
  'httpCheck',
  'mysqlCheck',
  'postgresCheck',
  'redisCheck',
]);
/** Health checks report a failing dependency by rejecting: that is their contract, not a throw into the host. */
const CHECKS = new Set(['httpCheck', 'mysqlCheck', 'postgresCheck', 'redisCheck']);
/**
 * Methods not called on what a creation returns: those that open ports (covered by the endpoint
 * tests), and the OpenTelemetry SDK's own MetricReader API the exporter inherits.
 */
const SKIPPED_METHODS = new Set([
  'constructor',
  'start',
  'listen',
  ...Object.getOwnPropertyNames(MetricReader.prototype),
]);
/** What these return registers routes when the framework calls it: a wrong app is a configuration mistake there too. */
const REGISTRATIONS = new Set(['fastifyMetrics']);
/** Runs start() costs; the cheap functions take the rest of the budget. */
const SLOW = new Set(['start']);

const RUNS = Number(process.env['AGENTMETER_FUZZ_RUNS'] ?? 8_000);
const meter = createAgentMeter();
let calls = 0;
const failures: string[] = [];
afterAll(() =>
  reportFigure(
    'calls fuzzed: every exported function of db, llm, speech, node and prometheus, and what they return',
    calls,
  ),
);

const callback: fc.Arbitrary<unknown> = fc.constantFrom(
  () => 'result',
  () => {
    throw new OwnError();
  },
  async () => 'result',
  () => {
    // Handled at birth, as in any-client.ts: where an API ignores a callback's return (Express's
    // `next`), the rejection is the caller's own. A promise a wrapper derives from it and drops is
    // still reported as unhandled.
    const rejected = Promise.reject(new OwnError());
    rejected.catch(() => undefined);
    return rejected;
  },
  () => undefined,
);
const argument: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileValue },
  { weight: 2, arbitrary: hostileAttributes },
  { weight: 3, arbitrary: fc.nat().map((seed) => anyClient(seed)) },
  {
    weight: 3,
    arbitrary: fc
      .dictionary(
        fc.constantFrom(
          'provider',
          'model',
          'dbSystem',
          'pool',
          'prices',
          'clock',
          'attributes',
          'semconv',
          'usage',
          'chunk',
          'operation',
          'timeoutMillis',
          'port',
          'token',
          'health',
          'sessions',
        ),
        hostileValue,
        { maxKeys: 4 },
      )
      .map((rest) => ({ ...rest, meter })),
  },
  { weight: 2, arbitrary: callback },
  { weight: 1, arbitrary: fc.constant(meter) },
);
const argumentsList = fc.array(argument, { maxLength: 4 });

function isClass(fn: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

function describeError(error: unknown): string {
  try {
    return error instanceof Error
      ? `${error.constructor.name}: ${error.message.slice(0, 160)}`
      : `a thrown ${typeof error}`;
  } catch {
    return 'an unreadable thrown value';
  }
}

/** Settles a possible thenable within a short time; a never-settling one passes (checks bound themselves). */
async function settle(value: unknown): Promise<{ error: unknown } | undefined> {
  let then: unknown;
  try {
    then = (value as { then?: unknown } | null)?.then;
  } catch {
    return undefined; // A hostile object the client returned, handed back as it was.
  }
  if (typeof then !== 'function') return undefined;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    Promise.resolve(value).then(
      () => undefined,
      (error: unknown) => ({ error }),
    ),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), 200);
    }),
  ]);
  clearTimeout(timer);
  return outcome;
}

/** Calls once and checks the outcome; returns what came back, boxed (a returned promise must not be adopted). */
async function attempt(
  label: string,
  run: () => unknown,
  allowed: (error: unknown, sync: boolean) => boolean,
): Promise<{ value: unknown } | undefined> {
  calls++;
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    if (!allowed(error, true)) failures.push(`${label} threw ${describeError(error)}`);
    return undefined;
  }
  const settled = await settle(result);
  if (settled !== undefined && !allowed(settled.error, false))
    failures.push(`${label} rejected with ${describeError(settled.error)}`);
  return { value: result };
}

const own = (error: unknown): boolean => error instanceof OwnError;

/** Every function a creation handed back: itself when it is one, its methods and the client paths the wrappers patch. */
function handedBack(result: unknown, given: readonly unknown[]): [string, (...args: unknown[]) => unknown][] {
  if (typeof result === 'function' && !given.includes(result))
    return [['()', result as (...args: unknown[]) => unknown]];
  if (typeof result !== 'object' || result === null) return [];
  const found = new Map<string, (...args: unknown[]) => unknown>();
  for (const path of CLIENT_METHODS) {
    const method = methodAt(result, path);
    if (method !== undefined) found.set(path, method);
  }
  if (!given.includes(result)) {
    for (
      let proto: object | null = result;
      proto !== null && proto !== Object.prototype;
      proto = Object.getPrototypeOf(proto) as object | null
    ) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        if (SKIPPED_METHODS.has(name) || found.has(name)) continue;
        const method = methodAt(result, name);
        if (method !== undefined) found.set(name, method);
      }
    }
  }
  return [...found];
}

async function fuzzExport(
  name: string,
  fn: Function,
  args: readonly unknown[],
  methodArgs: readonly unknown[],
): Promise<void> {
  const creation = CREATION.has(name);
  const boxed = await attempt(
    name,
    () => (isClass(fn) ? Reflect.construct(fn, args) : fn(...args)),
    (error, sync) => own(error) || (creation && sync && error instanceof AgentMeterConfigError),
  );
  if (boxed === undefined) return;
  const result = boxed.value;
  if (name === 'start') {
    await attempt(
      'start().shutdown',
      () => (result as { shutdown(): Promise<void> }).shutdown(),
      () => false,
    );
    return;
  }
  if (!creation) return;
  for (const [method, call] of handedBack(result, args)) {
    await attempt(
      `${name}(...).${method}`,
      () => call(...methodArgs),
      (error) => own(error) || CHECKS.has(name) || (REGISTRATIONS.has(name) && error instanceof AgentMeterConfigError),
    );
  }
}

const exported = Object.entries(PACKAGES).flatMap(([pkg, module]) =>
  Object.entries(module)
    .filter(([, value]) => typeof value === 'function')
    .map(([name, value]) => ({ pkg, name, fn: value as Function })),
);

describe('every exported function under hostile arguments (issue 14)', () => {
  it('finds the exports of every package from its index', () => {
    for (const pkg of Object.keys(PACKAGES))
      expect(exported.filter((entry) => entry.pkg === pkg).length, pkg).toBeGreaterThan(3);
    // Each creation function named above is still exported, so the list cannot go stale silently.
    for (const name of CREATION)
      expect(
        exported.some((entry) => entry.name === name),
        name,
      ).toBe(true);
  });

  for (const { pkg, name, fn } of exported) {
    it(`${pkg} ${name}`, async () => {
      const before = process.env['OTEL_SDK_DISABLED'];
      // start() with the SDK off: the options are validated and the meter made, nothing listens or patches.
      process.env['OTEL_SDK_DISABLED'] = 'true';
      try {
        const runs = SLOW.has(name) ? Math.ceil(RUNS / 40) : Math.ceil(RUNS / 2.5);
        await fc.assert(
          fc.asyncProperty(argumentsList, argumentsList, async (args, methodArgs) => {
            await fuzzExport(name, fn, args, methodArgs);
          }),
          { numRuns: runs, seed: 1400 + name.length + FUZZ_SEED },
        );
      } finally {
        if (before === undefined) delete process.env['OTEL_SDK_DISABLED'];
        else process.env['OTEL_SDK_DISABLED'] = before;
      }
      expect([...new Set(failures.filter((failure) => failure.startsWith(name)))].slice(0, 10)).toEqual([]);
    }, 300_000);
  }

  it('made at least 100,000 calls in all (at the default AGENTMETER_FUZZ_RUNS)', () => {
    expect(calls).toBeGreaterThanOrEqual(RUNS * 12.5);
  });
});
