import { createAgentMeter, AgentMeterConfigError } from '@agentmeter/core';
import { createTestReader } from '@agentmeter/core/testing';
import { estimateQuantile, httpCheck, negotiateFormat, PrometheusExporter } from '@agentmeter/prometheus';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { dataProblems } from '../src/checks.ts';
import { reportFigure } from '../src/figures.ts';
import { FUZZ_SEED, hostileNumber, hostileString, hostileValue } from '../src/hostile.ts';

const RUNS = Number(process.env['AGENTMETER_FUZZ_RUNS'] ?? 8_000);
let calls = 0;
afterAll(() => reportFigure('calls fuzzed: @agentmeter/prometheus health checks and helpers', calls));

/** How a dependency check ends: returns, throws, resolves, rejects (each with a hostile value), or never settles. */
const checkOutcome = fc.record({
  kind: fc.constantFrom('return', 'throw', 'resolve', 'reject', 'hang'),
  value: hostileValue,
});

describe('@agentmeter/prometheus under fuzzed checks and inputs', () => {
  it('health() always resolves to a well-formed report, whatever the checks do, and records no NaN', async () => {
    const meter = createAgentMeter();
    const reader = createTestReader(meter);
    const names = fc.constantFrom('postgres', 'redis', 'llm_api', 'x.y-z');
    await fc.assert(
      fc.asyncProperty(fc.dictionary(names, checkOutcome, { minKeys: 1, maxKeys: 3 }), async (outcomes) => {
        calls++;
        const checks = Object.fromEntries(
          Object.entries(outcomes).map(([name, { kind, value }]) => [
            name,
            (): unknown => {
              if (kind === 'throw') throw value;
              if (kind === 'hang') return new Promise(() => {});
              if (kind === 'reject') return Promise.reject(value);
              return kind === 'resolve' ? Promise.resolve(value) : value;
            },
          ]),
        );
        const exporter = new PrometheusExporter({ meter, health: { checks, timeoutMs: 20 } });
        const report = (await exporter.health()) as unknown as {
          status: string;
          dependencies: Record<string, { status: string; latency_ms: number }>;
        };
        expect(['healthy', 'degraded', 'unhealthy']).toContain(report.status);
        for (const name of Object.keys(outcomes)) {
          const dependency = report.dependencies[name]!;
          expect(['healthy', 'unhealthy']).toContain(dependency.status);
          expect(Number.isFinite(dependency.latency_ms)).toBe(true);
          // A check that throws, rejects or hangs is never reported healthy.
          if (['throw', 'reject', 'hang'].includes(outcomes[name]!.kind)) expect(dependency.status).toBe('unhealthy');
        }
        JSON.parse(JSON.stringify(report));
      }),
      { numRuns: Math.ceil(RUNS / 40), seed: 51 + FUZZ_SEED },
    );
    expect(dataProblems(await reader.collect(), 2_000)).toEqual([]);
    await reader.shutdown();
  });

  it('negotiateFormat, estimateQuantile and httpCheck never throw on hostile input, except an AgentMeterConfigError for a bad URL', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, hostileValue), (accept) => {
        calls++;
        expect(['text', 'openmetrics', 'protobuf']).toContain(negotiateFormat(accept as string));
      }),
      { numRuns: Math.ceil(RUNS / 4), seed: 52 + FUZZ_SEED },
    );
    const histogram = fc.record({
      buckets: fc.record({
        boundaries: fc.array(hostileNumber, { maxLength: 6 }),
        counts: fc.array(hostileNumber, { maxLength: 7 }),
      }),
      count: hostileNumber,
      sum: hostileNumber,
    });
    fc.assert(
      fc.property(histogram, hostileNumber, (value, q) => {
        calls++;
        const estimate = estimateQuantile(value as never, q);
        expect(estimate === null || typeof estimate === 'number').toBe(true);
      }),
      { numRuns: Math.ceil(RUNS / 4), seed: 53 + FUZZ_SEED },
    );
    fc.assert(
      fc.property(hostileValue, hostileValue, (url, options) => {
        calls++;
        try {
          httpCheck(url as string, options as never);
        } catch (error) {
          expect(error instanceof AgentMeterConfigError && /httpCheck/.test(error.message), String(error)).toBe(true);
        }
      }),
      { numRuns: Math.ceil(RUNS / 8), seed: 54 + FUZZ_SEED },
    );
  });
});
