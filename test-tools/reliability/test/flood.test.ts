import { describe, expect, it } from 'vitest';
import { runChild } from '../src/child.ts';
import { reportFigure } from '../src/figures.ts';

interface FloodResult {
  total: number;
  seriesLimit: number;
  elapsedMs: number;
  heapStart: number;
  checkpoints: { values: number; heap: number; series: number }[];
  maxSeries: number;
  series: number;
  overflowValue: number | null;
  sum: number;
}

const MB = 1024 * 1024;

describe('cardinality flood', () => {
  it('holds 1,000,000 distinct values in the limit, with the exact remainder in the overflow series and a flat heap', async () => {
    const result = await runChild<FloodResult>('./flood-child.ts', ['1000000', '2000'], 240_000);
    const { checkpoints } = result;
    const first = checkpoints[0]!;
    const last = checkpoints.at(-1)!;
    reportFigure('flood: values', result.total);
    reportFigure('flood: time', Math.round(result.elapsedMs), 'ms');
    reportFigure('flood: heap after GC at start', (result.heapStart / MB).toFixed(1), 'MB');
    reportFigure('flood: heap after GC at 100,000 values', (first.heap / MB).toFixed(1), 'MB');
    reportFigure('flood: heap after GC at 1,000,000 values', (last.heap / MB).toFixed(1), 'MB');
    reportFigure('flood: series exported', result.series);

    expect(result.maxSeries).toBeLessThanOrEqual(result.seriesLimit + 1);
    expect(result.series).toBe(result.seriesLimit + 1);
    expect(result.overflowValue).toBe(result.total - result.seriesLimit);
    expect(result.sum).toBe(result.total);
    for (const checkpoint of checkpoints) expect(checkpoint.series).toBe(result.seriesLimit + 1);
    // Flat: the last 900,000 values may not grow the heap by more than 2 MB (they hold no state).
    expect(last.heap - first.heap).toBeLessThan(2 * MB);
  }, 300_000);
});
