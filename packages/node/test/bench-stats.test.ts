import { afterEach, describe, expect, it, vi } from 'vitest';
import { envFlags, envNumber } from '../../../scripts/bench-kit.ts';
import { addBlock, emptySeries, loss, median, medianInterval, quantile } from '../bench/service-process.ts';
import type { Window } from '../bench/service-process.ts';

// The statistics the toggle bench's verdicts rest on.
const width = ([low, high]: [number, number]): number => high - low;

describe('bench statistics', () => {
  it('interpolates quantiles between the nearest samples', () => {
    expect(quantile([4, 1, 3, 2], 0)).toBe(1);
    expect(quantile([4, 1, 3, 2], 1)).toBe(4);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
  });

  it('brackets the median with a bootstrap interval that is the same for the same samples', () => {
    const ratios = [1.036, 1.013, 1.045, 1.02, 1.05, 1.03, 1.04, 0.99, 1.06, 1.01, 1.03, 1.045, 1.025, 1.037, 1.048];
    const [low, high] = medianInterval(ratios);
    expect(low).toBeLessThanOrEqual(median(ratios));
    expect(high).toBeGreaterThanOrEqual(median(ratios));
    expect(low).toBeGreaterThan(Math.min(...ratios));
    expect(high).toBeLessThan(Math.max(...ratios));
    expect(medianInterval(ratios)).toEqual([low, high]);
  });

  it('gives a point for samples that do not vary, and no wider an interval at a lower level', () => {
    expect(medianInterval([1.02, 1.02, 1.02])).toEqual([1.02, 1.02]);
    const ratios = [0.97, 1.0, 1.01, 1.03, 1.04, 1.05, 1.08, 1.1, 1.12];
    expect(width(medianInterval(ratios, 0.5))).toBeLessThanOrEqual(width(medianInterval(ratios, 0.9)));
  });

  it('narrows as samples accumulate', () => {
    const few = [1.0, 1.06, 1.02, 1.04, 1.01, 1.05];
    const many = Array.from({ length: 8 }, () => few).flat();
    expect(width(medianInterval(many))).toBeLessThan(width(medianInterval(few)));
  });
});

/** A window at `rps`, its CPU per request the inverse. */
const window = (rps: number): Window => ({
  rps,
  requests: rps,
  cpuMicros: 1_000_000 / rps,
  userMicros: 1_000_000 / rps,
  serviceCores: 1,
  generatorCores: 1,
});

describe('bench settings and blocks', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('reads a bench setting, or its default when unset or empty', () => {
    expect(envNumber('BENCH_TEST_SETTING', 8)).toBe(8);
    vi.stubEnv('BENCH_TEST_SETTING', '');
    expect(envNumber('BENCH_TEST_SETTING', 8)).toBe(8);
    vi.stubEnv('BENCH_TEST_SETTING', '0.25');
    expect(envNumber('BENCH_TEST_SETTING', 8)).toBe(0.25);
    vi.stubEnv('BENCH_TEST_SETTING', '0');
    expect(envNumber('BENCH_TEST_SETTING', 8, { integer: true, zero: true })).toBe(0);
  });

  it.each(['abc', 'NaN', 'Infinity', '-1', '0', '1e400', ' ', '1.5'])(
    'stops on %j, naming the variable, before a run ends in a NaN median',
    (given) => {
      vi.stubEnv('BENCH_TEST_SETTING', given);
      expect(() => envNumber('BENCH_TEST_SETTING', 8, { integer: true })).toThrow(
        /^BENCH_TEST_SETTING must be a positive whole number \(got "/,
      );
    },
  );

  it('reads node flags for the service processes, none when unset', () => {
    expect(envFlags('BENCH_TEST_FLAGS')).toEqual([]);
    vi.stubEnv('BENCH_TEST_FLAGS', ' --single-threaded  --max-semi-space-size=64 ');
    expect(envFlags('BENCH_TEST_FLAGS')).toEqual(['--single-threaded', '--max-semi-space-size=64']);
  });

  it.each(['script.js', '-e', '--', '--eval=1;process.exit()', '--x=a b'])(
    'stops on a node argument that is not a --flag: %j',
    (given) => {
      vi.stubEnv('BENCH_TEST_FLAGS', given);
      expect(() => envFlags('BENCH_TEST_FLAGS')).toThrow(/^BENCH_TEST_FLAGS takes --flags separated by spaces \(got "/);
    },
  );

  it('adds an ABBA block in its order, with the geometric mean of its two ratios', async () => {
    const series = emptySeries();
    const asked: boolean[] = [];
    // off 100, on 90, on 81, off 100 (the second block starts on).
    const rates = [100, 90, 81, 100];
    // User CPU apart from the total: 4 µs per request on, 5 off.
    await addBlock(series, 0, async (on) => ({ ...window(rates[asked.push(on) - 1]!), userMicros: on ? 4 : 5 }));
    expect(asked).toEqual([false, true, true, false]);
    expect(series.rps[0]).toBeCloseTo(Math.sqrt((90 * 81) / (100 * 100)), 12);
    expect(series.cpu[0]).toBeCloseTo(1 / series.rps[0]!, 12);
    expect(series.user[0]).toBeCloseTo(0.8, 12);
    expect(series.on.map((w) => w.rps)).toEqual([90, 81]);
    expect(loss(series.rps[0]!)).toBe('14.6%');
    asked.length = 0;
    await addBlock(series, 1, async (on) => window(asked.push(on) && 100));
    expect(asked).toEqual([true, false, false, true]);
    expect(series.rps).toEqual([series.rps[0], 1]);
  });
});
