import { describe, expect, it } from 'vitest';
import { median, medianInterval, quantile } from '../bench/service-process.ts';

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
