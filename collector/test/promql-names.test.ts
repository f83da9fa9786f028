import { describe, expect, it } from 'vitest';
import { metricNamesIn } from '../src/promql-names.ts';

describe('metricNamesIn', () => {
  it('finds selectors and skips functions, grouping labels, matchers, ranges and Grafana variables', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (job, le) (rate(a_bucket{job=~"$job", le="1"}[$__rate_interval])))',
      ),
    ).toEqual(['a_bucket']);
    expect(metricNamesIn('sum(rate(x_total[5m])) by (job) / on (job) group_left (model) y offset 1h')).toEqual([
      'x_total',
      'y',
    ]);
    expect(metricNamesIn('agentmeter:r:ratio_rate1h > (14.4 * 0.001) and agentmeter:r:ratio_rate5m > 1e-3')).toEqual([
      'agentmeter:r:ratio_rate1h',
      'agentmeter:r:ratio_rate5m',
    ]);
    expect(metricNamesIn('topk(5, up == bool 0) unless absent(z{a="by (x)"})')).toEqual(['up', 'z']);
    expect(metricNamesIn('increase(cost{job=~"$job"}[$__range]) * 86400')).toEqual(['cost']);
  });
});
