import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusServer } from './support/prometheus-server.ts';
import { setup, withSpan, type Setup } from './support/fixtures.ts';

const TOKEN = 'prometheus-scrape-token';
const TRACES = [
  ['4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'],
  ['5cf92f3577b34da6a3ce929d0e0e4737', '11f067aa0ba902b8'],
] as const;

let secured: Setup & { url: string };
let open: Setup & { url: string };
let prometheus: PrometheusServer;

function scrapeJob(name: string, url: string, extra = ''): string {
  return `  - job_name: ${name}\n    scrape_interval: 1s\n    static_configs:\n      - targets: ['${new URL(url).host}']\n${extra}`;
}

beforeAll(async () => {
  const securedRun = setup({ token: TOKEN });
  secured = { ...securedRun, url: await securedRun.exporter.start() };
  const openRun = setup();
  open = { ...openRun, url: await openRun.exporter.start() };
  for (const run of [secured, open]) {
    run.meter.instruments.requests.add(7, { status: 'ok' });
    run.meter.instruments.requests.add(2, { status: 'error' });
    for (let i = 0; i < 10; i++) run.meter.instruments.llmLatency.record(0.3, { provider: 'openai', model: 'gpt-4o' });
  }
  for (const [traceId, spanId] of TRACES) {
    withSpan(traceId, spanId, () =>
      secured.meter.instruments.llmLatency.record(4, { provider: 'anthropic', model: 'claude' }),
    );
  }
  prometheus = await PrometheusServer.start(
    [
      'global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:',
      scrapeJob('secured', secured.url, `    authorization:\n      credentials: ${TOKEN}\n`),
      scrapeJob('wrong_token', secured.url, '    authorization:\n      credentials: not-the-token\n'),
      scrapeJob('no_token', secured.url),
      scrapeJob('open', open.url),
    ].join('\n'),
    ['--enable-feature=exemplar-storage'],
  );
  await prometheus.waitFor(
    async () => (await prometheus.scalar('count(up == 1)')) === 2 && (await prometheus.scalar('count(up == 0)')) === 2,
    'every target to be scraped once',
  );
}, 90_000);

afterAll(async () => {
  await prometheus?.stop();
  await secured?.provider.shutdown();
  await open?.provider.shutdown();
});

describe('a real Prometheus scraping agentmeter', () => {
  it('scrapes with the bearer token, and fails without it or with a wrong one', async () => {
    expect(await prometheus.scalar('up{job="secured"}')).toBe(1);
    expect(await prometheus.scalar('up{job="open"}')).toBe(1);
    expect(await prometheus.scalar('up{job="wrong_token"}')).toBe(0);
    expect(await prometheus.scalar('up{job="no_token"}')).toBe(0);
  });

  it('returns the recorded counter values', async () => {
    for (const job of ['secured', 'open']) {
      expect(await prometheus.scalar(`agentmeter_requests_total{job="${job}",status="ok"}`)).toBe(7);
      expect(await prometheus.scalar(`agentmeter_requests_total{job="${job}",status="error"}`)).toBe(2);
    }
  });

  it('answers a sensible histogram_quantile', async () => {
    const median = await prometheus.scalar(
      'histogram_quantile(0.5, sum by (le) (agentmeter_llm_latency_seconds_bucket{job="open"}))',
    );
    // Ten values of 0.3 s fall in the (0.25, 0.5] bucket; interpolation puts the median at its middle.
    expect(median).toBeCloseTo(0.375, 6);
    const p99 = await prometheus.scalar(
      'histogram_quantile(0.99, sum by (le) (agentmeter_llm_latency_seconds_bucket{job="secured"}))',
    );
    expect(p99).toBeGreaterThan(3);
    expect(p99).toBeLessThanOrEqual(5);
  });

  it('parsed OpenMetrics and stored the exemplars with the recorded trace ids', async () => {
    const now = Date.now() / 1000;
    const data = (await prometheus.api('query_exemplars', {
      query: 'agentmeter_llm_latency_seconds_bucket{job="secured"}',
      start: String(now - 600),
      end: String(now + 60),
    })) as { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string }[] }[];
    const exemplars = data.flatMap((series) =>
      series.exemplars.map((exemplar) => ({
        le: series.seriesLabels['le'],
        ...exemplar.labels,
        value: exemplar.value,
      })),
    );
    // One exemplar per bucket: the latest, so the second trace.
    expect(exemplars).toContainEqual({ le: '5.0', trace_id: TRACES[1][0], span_id: TRACES[1][1], value: '4' });
    const scrapedFormat = (await prometheus.api('targets', {})) as {
      activeTargets: { labels: { job: string }; health: string; lastError: string }[];
    };
    expect(
      scrapedFormat.activeTargets.filter((t) => t.labels.job === 'secured').map((t) => [t.health, t.lastError]),
    ).toEqual([['up', '']]);
  });
});
