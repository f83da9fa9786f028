import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { FAMILIES } from '../src/catalog/instruments.ts';
import { REQUEST_AND_AI_INSTRUMENTS } from '../src/catalog/request-ai-instruments.ts';
import { SERVICE_INSTRUMENTS } from '../src/catalog/service-instruments.ts';
import {
  CATALOG,
  CATALOG_KEYS,
  createAgentMeter,
  type CatalogInstruments,
  type CatalogKey,
  type CounterInstrument,
  type Family,
  type GaugeInstrument,
  type HistogramInstrument,
  type InstrumentFor,
  type InstrumentOfKind,
  type KindOf,
  type UpDownCounterInstrument,
} from '../src/index.ts';

describe('the types derived from the catalog', () => {
  it('give each key the handle of its declared kind', () => {
    expectTypeOf<KindOf<'llmLatency'>>().toEqualTypeOf<'histogram'>();
    expectTypeOf<KindOf<'activeSessions'>>().toEqualTypeOf<'updowncounter'>();
    expectTypeOf<KindOf<'cacheHitRatio'>>().toEqualTypeOf<'gauge'>();
    expectTypeOf<KindOf<'requests'>>().toEqualTypeOf<'counter'>();
    expectTypeOf<CatalogInstruments['llmLatency']>().toEqualTypeOf<HistogramInstrument>();
    expectTypeOf<CatalogInstruments['toolDuration']>().toHaveProperty('record');
    expectTypeOf<CatalogInstruments['toolDuration']>().not.toHaveProperty('add');
    expectTypeOf<CatalogInstruments['activeSessions']>().toEqualTypeOf<UpDownCounterInstrument>();
    expectTypeOf<CatalogInstruments['healthCheckStatus']>().toEqualTypeOf<GaugeInstrument>();
    expectTypeOf<CatalogInstruments['healthCheckStatus']>().not.toHaveProperty('add');
    expectTypeOf<CatalogInstruments['llmTokens']>().toEqualTypeOf<CounterInstrument>();
    expectTypeOf<CatalogInstruments['llmTokens']>().not.toHaveProperty('record');
  });

  it('take the keys and families from the declared tables', () => {
    expectTypeOf<CatalogKey>().toEqualTypeOf<
      keyof typeof REQUEST_AND_AI_INSTRUMENTS | keyof typeof SERVICE_INSTRUMENTS
    >();
    expectTypeOf<'external_api'>().toExtend<Family>();
    expectTypeOf<'nope'>().not.toExtend<Family>();
    // Every key's instrument type is the one of its declared kind: no key falls back to a counter.
    type Mismatched = {
      [K in CatalogKey]: InstrumentFor<K> extends InstrumentOfKind[KindOf<K>] ? never : K;
    }[CatalogKey];
    expectTypeOf<Mismatched>().toBeNever();
  });
});

describe('the catalog at run time', () => {
  it("creates for every entry the instrument of its kind, with only that kind's method", () => {
    const meter = createAgentMeter({ namespace: 'kinds' });
    const methods = { counter: 'add', updowncounter: 'add', histogram: 'record', gauge: 'set' } as const;
    for (const key of CATALOG_KEYS) {
      const instrument = meter.instruments[key] as unknown as Record<string, unknown>;
      const kind = CATALOG[key].kind;
      for (const method of ['add', 'record', 'set']) {
        expect([key, method, typeof instrument[method]]).toEqual([
          key,
          method,
          method === methods[kind] ? 'function' : 'undefined',
        ]);
      }
      const bound = (instrument['bind'] as () => Record<string, unknown>).call(instrument);
      expect(typeof bound[methods[kind]]).toBe('function');
    }
  });

  it('is the two declared tables in order, with named buckets resolved and families in first-use order', () => {
    const declared = { ...REQUEST_AND_AI_INSTRUMENTS, ...SERVICE_INSTRUMENTS } as Record<
      string,
      { kind: string; family: string; buckets?: string }
    >;
    expect(CATALOG_KEYS).toEqual(Object.keys(declared));
    expect(Object.keys(REQUEST_AND_AI_INSTRUMENTS).filter((key) => key in SERVICE_INSTRUMENTS)).toEqual([]);
    for (const key of CATALOG_KEYS) {
      const spec = CATALOG[key];
      expect(spec.kind).toBe(declared[key]!.kind);
      expect(spec.buckets === undefined).toBe(spec.kind !== 'histogram');
      if (spec.buckets !== undefined)
        expect(spec.buckets.every((bound, i) => i === 0 || bound > spec.buckets![i - 1]!)).toBe(true);
    }
    expect(FAMILIES).toEqual([...new Set(CATALOG_KEYS.map((key) => declared[key]!.family))]);
    expect(FAMILIES).toHaveLength(15);
  });
});

let previous: ts.Program | undefined;

/**
 * Type-checks core with one extra entry in the first declared table, and a probe that uses it.
 * Returns the error messages, each prefixed with the file it is in.
 */
function checkWithEntry(entry: string, probe: string): string[] {
  const table = fileURLToPath(new URL('../src/catalog/request-ai-instruments.ts', import.meta.url));
  const probeFile = fileURLToPath(new URL('../src/zz-probe.ts', import.meta.url));
  const source = readFileSync(table, 'utf8');
  const edited = source.replace(
    'export const REQUEST_AND_AI_INSTRUMENTS = {\n',
    `export const REQUEST_AND_AI_INSTRUMENTS = {\n${entry}\n`,
  );
  expect(edited).not.toBe(source);
  const config = ts.getParsedCommandLineOfConfigFile(
    fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url)),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    },
  )!;
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => (name === table ? edited : name === probeFile ? probe : readFile(name));
  host.fileExists = (name) => name === probeFile || fileExists(name);
  const internal = fileURLToPath(new URL('../src/internal.ts', import.meta.url));
  const program = ts.createProgram([probeFile, internal], { ...config.options, noEmit: true }, host, previous);
  previous = program;
  const src = fileURLToPath(new URL('../src/', import.meta.url));
  return program
    .getSourceFiles()
    .filter((file) => file.fileName.startsWith(src))
    .flatMap((file) => program.getSemanticDiagnostics(file).concat(program.getSyntacticDiagnostics(file)))
    .map((d) => `${d.file?.fileName.slice(src.length)}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

describe('adding an instrument', () => {
  it(
    'is one entry in a declared table: its key, kind and handle type follow with no other edit',
    { timeout: 120_000 },
    () => {
      const entry = `  probeLatency: {
    name: 'probe.latency', family: 'llm', kind: 'histogram', unit: 's',
    description: 'A probe.', attributes: ['provider'], buckets: 'PROVIDER_SECONDS', replaces: [],
  },`;
      const probe = `import { CATALOG, createAgentMeter, type KindOf } from './index.ts';
const meter = createAgentMeter();
meter.instruments.probeLatency.record(1, { provider: 'p' });
meter.instruments.probeLatency.bind({ provider: 'p' }).record(2);
// @ts-expect-error a histogram has no add
meter.instruments.probeLatency.add(1);
export const kind: KindOf<'probeLatency'> = 'histogram';
export const spec: typeof CATALOG.probeLatency = CATALOG.probeLatency;
`;
      expect(checkWithEntry(entry, probe)).toEqual([]);
      // The check can fail: the same probe against a counter entry does not compile.
      const errors = checkWithEntry(entry.replace("kind: 'histogram'", "kind: 'counter'"), probe);
      expect(errors.some((error) => error.startsWith('zz-probe.ts') && error.includes("'record' does not exist"))).toBe(
        true,
      );
    },
  );

  it("in a new family asks for that family's title, and nothing else", { timeout: 120_000 }, () => {
    const entry = `  probeRuns: {
    name: 'probe.runs', family: 'probe', kind: 'counter', unit: '{run}',
    description: 'A probe.', attributes: [], replaces: [],
  },`;
    const errors = checkWithEntry(
      entry,
      `import { createAgentMeter } from './index.ts';\ncreateAgentMeter().instruments.probeRuns.add(1);\n`,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^catalog\/markdown\.ts: Property 'probe' is missing/);
  });
});
