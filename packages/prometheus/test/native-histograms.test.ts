import { PROVIDER_SECONDS } from '@agentmeter/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusServer } from './support/prometheus-server.ts';
import { setup, type Setup } from './support/fixtures.ts';

const VALUES = 1000;
const LABELS = { provider: 'openai', model: 'gpt-4o', operation: 'chat' };
const JOB = 'native';

let run: Setup & { url: string };
let prometheus: PrometheusServer;

/** 1000 latencies spread over 0.05 .. ~8 s, denser at the low end, as provider latencies are. */
function latency(i: number): number {
  return 0.05 * 1.0051 ** i;
}

beforeAll(async () => {
  const made = setup({}, { exponentialHistograms: ['llm.latency'] });
  run = { ...made, url: await made.exporter.start() };
  for (let i = 0; i < VALUES; i++) run.meter.instruments.llmLatency.record(latency(i), LABELS);
  prometheus = await PrometheusServer.start(
    [
      'global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:',
      `  - job_name: ${JOB}`,
      '    scrape_native_histograms: true',
      '    always_scrape_classic_histograms: true',
      '    static_configs:',
      `      - targets: ['${new URL(run.url).host}']`,
      '',
    ].join('\n'),
  );
  await prometheus.waitFor(
    async () => (await prometheus.scalar(`histogram_count(agentmeter_llm_latency_seconds{job="${JOB}"})`)) === VALUES,
    'the native histogram to be scraped',
  );
}, 90_000);

afterAll(async () => {
  await prometheus?.stop();
  await run?.provider.shutdown();
});

/** The classic bucket (lower, upper] that holds a value. */
function classicBucket(value: number): [number, number] {
  const upper = PROVIDER_SECONDS.find((bound) => value <= bound) ?? Infinity;
  const index = PROVIDER_SECONDS.indexOf(upper);
  return [index <= 0 ? 0 : PROVIDER_SECONDS[index - 1]!, upper];
}

describe('Prometheus 3 scraping native histograms from /metrics (protobuf), the classic buckets kept beside them', () => {
  it('stores the native histogram with every observation and the same sum as the classic series', async () => {
    const selector = `agentmeter_llm_latency_seconds{job="${JOB}"}`;
    expect(await prometheus.scalar(`histogram_count(${selector})`)).toBe(VALUES);
    const sum = await prometheus.scalar(`histogram_sum(${selector})`);
    expect(sum).toBeCloseTo((await prometheus.scalar(`agentmeter_llm_latency_seconds_sum{job="${JOB}"}`))!, 6);
    expect(await prometheus.scalar(`agentmeter_llm_latency_seconds_count{job="${JOB}"}`)).toBe(VALUES);
    // The scope labels travel in the protobuf form too.
    const series = (await prometheus.api('series', { 'match[]': selector })) as Record<string, string>[];
    expect(series[0]).toMatchObject({ otel_scope_name: '@agentmeter/core', ...LABELS });
  });

  it.each([0.5, 0.9, 0.99])(
    'histogram_quantile(%s) over the native series agrees with the classic buckets within their resolution',
    async (q) => {
      const native = (await prometheus.scalar(
        `histogram_quantile(${q}, agentmeter_llm_latency_seconds{job="${JOB}"})`,
      ))!;
      const classic = (await prometheus.scalar(
        `histogram_quantile(${q}, sum by (le) (agentmeter_llm_latency_seconds_bucket{job="${JOB}"}))`,
      ))!;
      const exact = latency(Math.ceil(q * VALUES) - 1);
      const [lower, upper] = classicBucket(exact);
      // Both estimates lie in the classic bucket that holds the true quantile...
      expect(classic).toBeGreaterThanOrEqual(lower);
      expect(classic).toBeLessThanOrEqual(upper);
      expect(native).toBeGreaterThanOrEqual(lower);
      expect(native).toBeLessThanOrEqual(upper);
      // ...and the native one, with its finer buckets, is at least as close to it.
      expect(Math.abs(native - exact)).toBeLessThanOrEqual(Math.abs(classic - exact) + exact * 0.05);
    },
  );
});
