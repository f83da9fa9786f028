import { AgentMeterConfigError, createAgentMeter, ERROR_TYPES, type AgentMeter } from '@agentmeter/core';
import { createTestReader } from '@agentmeter/core/testing';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../../../packages/prometheus/test/support/parse.ts';
import { promtoolCheck } from '../../../packages/prometheus/test/support/tools.ts';
import { captureDiag, dataProblems, type CapturedDiag } from '../src/checks.ts';
import { callHelper, coreCall, outcome, TRACK_HELPERS } from '../src/core-calls.ts';
import { reportFigure } from '../src/figures.ts';
import { FUZZ_SEED, hostileAttributes, hostileError, hostileValue, isOwnThrow } from '../src/hostile.ts';

const SERIES_LIMIT = 64;
const OPTIONS = { seriesLimit: SERIES_LIMIT, attributes: { requests: ['scene', 'character'] } } as const;
// Sized for at least 100,000 calls across the suite in well under a minute on one shared core.
const RUNS = Number(process.env['AGENTMETER_FUZZ_RUNS'] ?? 8_000);

let captured: CapturedDiag;
let calls = 0;
beforeAll(() => {
  captured = captureDiag();
});
afterAll(() => {
  captured.restore();
  reportFigure('calls fuzzed: core meter', calls);
});

/** A clear configuration error, or the caller's own getter or proxy throwing as it was read. */
function isConfigError(error: unknown): boolean {
  return error instanceof AgentMeterConfigError || isOwnThrow(error);
}

/** Runs `runs` generated call sequences against the meter; any throw fails the property. */
function fuzz(meter: AgentMeter, runs: number, seed: number): void {
  fc.assert(
    fc.property(fc.array(coreCall, { minLength: 1, maxLength: 8 }), (sequence) => {
      for (const call of sequence) calls += call.run(meter);
    }),
    { numRuns: runs, seed: seed + FUZZ_SEED },
  );
}

/** The exposition must parse back as text and OpenMetrics, hold no NaN, and pass promtool. */
async function checkExposition(exporter: PrometheusExporter, meter: AgentMeter): Promise<number> {
  const text = await exporter.scrape('text');
  const parsed = parseExposition(text, 'text');
  parseExposition(await exporter.scrape('openmetrics'), 'openmetrics');
  expect(parsed.samples.filter((sample) => Number.isNaN(sample.value)).map((sample) => sample.name)).toEqual([]);
  const promtool = promtoolCheck(text);
  // Exit 1 is a parse error; 3 is lint advice, which may name the fuzz's custom metrics but no catalog one.
  expect(promtool.output).not.toMatch(/error|invalid/i);
  expect([0, 3]).toContain(promtool.status);
  const catalog = new Set(Object.values(meter.instruments).map((instrument) => instrument.prometheusName));
  const linted = promtool.output
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[0]!);
  expect(linted.filter((name) => catalog.has(name))).toEqual([]);
  return parsed.samples.length;
}

describe('core meter under fuzzed input', () => {
  it('never throws from any recording entry point, and exports no NaN, no extra series, a valid exposition', async () => {
    const meter = createAgentMeter(OPTIONS);
    const reader = createTestReader(meter);
    fuzz(meter, RUNS, 1);
    expect(dataProblems(await reader.collect(), SERIES_LIMIT)).toEqual([]);
    const samples = await checkExposition(new PrometheusExporter({ meter }), meter);
    expect(samples).toBeGreaterThan(100);
    expect(captured.problems()).toEqual([]);
    await reader.shutdown();
  }, 180_000);

  it('records through an OpenTelemetry MeterProvider the same way', async () => {
    const exporter = new PrometheusExporter();
    const provider = new MeterProvider({ readers: [exporter] });
    const meter = createAgentMeter({ ...OPTIONS, meterProvider: provider });
    fuzz(meter, Math.ceil(RUNS / 4), 2);
    await checkExposition(exporter, meter);
    expect(captured.problems()).toEqual([]);
    await provider.shutdown();
  }, 180_000);

  it('gives one warning per kind of mistake, not one per call', () => {
    const meter = createAgentMeter(OPTIONS);
    const before = captured.warnings.length;
    for (let i = 0; i < 10_000; i++)
      meter.instruments.llmTokens.add(Number.NaN, { provider: 'p', model: 'm', token_type: 'input' });
    calls += 10_000;
    expect(captured.warnings.length - before).toBe(1);
  });

  it('hands back exactly what the tracked function returned or threw, sync and async', async () => {
    const meter = createAgentMeter(OPTIONS);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TRACK_HELPERS),
        hostileAttributes,
        outcome,
        hostileValue,
        async (helper, attributes, result, inner) => {
          calls++;
          let returned: unknown;
          let thrown: { error: unknown } | undefined;
          try {
            returned = callHelper(meter, helper, attributes, result, inner);
          } catch (error) {
            thrown = { error };
          }
          if (result.kind === 'throw') {
            expect(thrown).toBeDefined();
            expect(Object.is(thrown!.error, result.value)).toBe(true);
            return;
          }
          expect(thrown).toBeUndefined();
          if (result.kind === 'return') {
            expect(Object.is(returned, result.value)).toBe(true);
            return;
          }
          // The helper hands back the function's own promise; it settles as the function decided.
          expect(returned).toBeInstanceOf(Promise);
          const settled = await (returned as Promise<unknown>).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
          if (result.kind === 'reject')
            expect(Object.is((settled as { error: unknown }).error, result.value)).toBe(true);
          else if ('value' in settled)
            expect(Object.is(settled.value, result.value) || typeof result.value === 'object').toBe(true);
        },
      ),
      { numRuns: Math.ceil(RUNS / 6), seed: 3 + FUZZ_SEED },
    );
  });

  it('classifies any error into the taxonomy', () => {
    const meter = createAgentMeter(OPTIONS);
    fc.assert(
      fc.property(hostileError, hostileAttributes, (error, attributes) => {
        calls++;
        expect(ERROR_TYPES).toContain(meter.trackError(error, attributes as never));
      }),
      { numRuns: Math.ceil(RUNS / 6), seed: 4 + FUZZ_SEED },
    );
  });

  it('rejects bad options at creation with AgentMeterConfigError only', () => {
    const options = fc.oneof(
      hostileValue,
      fc.record(
        {
          namespace: hostileValue,
          seriesLimit: hostileValue,
          maxAttributeLength: hostileValue,
          exemplars: hostileValue,
          attributes: fc.oneof(
            hostileValue,
            fc.dictionary(
              fc.constantFrom('requests', 'llm', 'nope'),
              fc.oneof(hostileValue, fc.array(hostileValue, { maxLength: 3 })),
            ),
          ),
          clock: hostileValue,
          meterProvider: hostileValue,
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(options, (given) => {
        calls++;
        try {
          createAgentMeter(given as never);
        } catch (error) {
          expect(isConfigError(error), String(error)).toBe(true);
        }
      }),
      { numRuns: Math.ceil(RUNS / 6), seed: 5 + FUZZ_SEED },
    );
  });
});
