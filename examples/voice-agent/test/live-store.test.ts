import { describe, expect, it } from 'vitest';
import { labelKey, parse } from '../src/live-promql.ts';
import { parseSampleLine, ScrapeStore } from '../src/live-store.ts';
import { livePanels } from '../src/live-view.ts';

/** One scrape's text: a counter growing by 10 per scrape, and a histogram filling known buckets. */
function scrape(k: number): string {
  return [
    '# HELP agentmeter_requests_total Requests.',
    '# TYPE agentmeter_requests_total counter',
    `agentmeter_requests_total{otel_scope_name="@agentmeter/core",status="success"} ${10 * k}`,
    `agentmeter_requests_total{otel_scope_name="@agentmeter/core",status="error"} ${k}`,
    // 4 per scrape: 1 at or below 0.1 s, 3 in (0.1, 0.5]; none above.
    `agentmeter_response_time_seconds_bucket{le="0.1"} ${k}`,
    `agentmeter_response_time_seconds_bucket{le="0.5"} ${4 * k}`,
    `agentmeter_response_time_seconds_bucket{le="+Inf"} ${4 * k}`,
    `agentmeter_cache_operations_total{cache="llm",result="hit"} ${3 * k}`,
    `agentmeter_cache_operations_total{cache="llm",result="miss"} ${k}`,
    'label_escapes{path="a\\"b\\\\c\\nd"} 1',
  ].join('\n');
}

function filled(store: ScrapeStore, expr: string, at: number): Record<string, number> {
  const answer = store.queryRange(expr, at, at, 5) as {
    data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
  };
  return Object.fromEntries(answer.data.result.map((r) => [labelKey(r.metric), Number(r.values[0]![1])]));
}

describe("the live view without Prometheus: PromQL over the service's own /metrics", () => {
  const store = new ScrapeStore('http://127.0.0.1:1/metrics');
  const t0 = 1_700_000_000;
  for (let k = 0; k <= 24; k++) store.add(scrape(k), t0 + 5 * k);
  const now = t0 + 120;

  it('reads the text format, escapes included', () => {
    expect(parseSampleLine('label_escapes{path="a\\"b\\\\c\\nd"} 1')).toEqual({
      name: 'label_escapes',
      labels: { path: 'a"b\\c\nd' },
      value: 1,
    });
    expect(parseSampleLine('x_bucket{le="+Inf"} +Inf 1700000000000')?.value).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleLine('# TYPE x counter')).toBeUndefined();
    expect(parseSampleLine('broken{a="b" 1')).toBeUndefined();
  });

  it("computes rates, sums by label, and the labels the demo's Prometheus adds", () => {
    expect(filled(store, 'sum by (job, status) (rate(agentmeter_requests_total{job=~".+"}[1m]))', now)).toEqual({
      [labelKey({ job: 'agentmeter', status: 'success' })]: 2,
      [labelKey({ job: 'agentmeter', status: 'error' })]: 0.2,
    });
    // (now - 60 s, now] holds 12 scrapes: 11 intervals of 10 + 1.
    expect(filled(store, 'sum(increase(agentmeter_requests_total[1m])) * 60', now)).toEqual({ '[]': 121 * 60 });
  });

  it('evaluates the shipped recording rules a panel reads: histogram_quantile and the or-guarded ratio', () => {
    // Rank 0.5 * 4 = 2 of 4 per interval: in (0.1, 0.5], 1 below it, 3 in it: 0.1 + 0.4 * (1/3).
    const [p50] = Object.values(filled(store, 'agentmeter:response_time_seconds:p50_5m{job=~".+"}', now));
    expect(p50).toBeCloseTo(0.1 + 0.4 / 3, 12);
    const ratio = filled(store, 'agentmeter:cache_hit:ratio_rate5m{job=~".+"}', now);
    expect(Object.keys(ratio)).toEqual([labelKey({ cache: 'llm', job: 'agentmeter' })]);
    expect(Object.values(ratio)[0]).toBeCloseTo(0.75, 12);
    const [top] = Object.values(
      filled(store, 'histogram_quantile(1, sum by (le) (rate(agentmeter_response_time_seconds_bucket[1m])))', now),
    );
    expect(top).toBeCloseTo(0.5, 12);
  });

  it('answers every live panel query, and keeps the answers for steps already scraped', () => {
    for (const panel of livePanels()) {
      for (const query of panel.queries)
        expect(() => store.queryRange(query.expr, now - 600, now, 5), query.expr).not.toThrow();
    }
    const first = JSON.stringify(store.queryRange('sum(rate(agentmeter_requests_total[1m]))', now - 60, now, 5));
    store.add(scrape(1000), now + 5);
    expect(JSON.stringify(store.queryRange('sum(rate(agentmeter_requests_total[1m]))', now - 60, now, 5))).toBe(first);
  });

  it('refuses what it does not evaluate, naming it, rather than answering wrongly', () => {
    expect(() => parse('label_replace(up, "a", "b", "c", "d")')).toThrow(/function label_replace is not supported/);
    expect(() => parse('a / on (job) b')).toThrow(/on is not supported/);
    expect(() => parse('rate(x[5x])')).toThrow(/bad range/);
    expect(() => store.queryRange('rate(agentmeter_requests_total)', now, now, 5)).toThrow(/takes a range selector/);
  });
});
