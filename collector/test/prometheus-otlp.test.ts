import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEP_TOTALS } from './fixtures/workload.ts';
import { labelSets, total } from './helpers/compare.ts';
import { freePort, startPrometheus, waitFor, type PrometheusServer } from './helpers/processes.ts';
import { startService, type ServiceProcess } from './helpers/services.ts';

const SERVICE_NAME = 'agentmeter-otlp-direct';
const STEPS = 5;

/**
 * The second push path: services push OTLP straight into Prometheus 3's own receiver, with no
 * Collector in between. The same processes also serve /metrics, scraped as job `direct`.
 */
describe("services push OTLP to Prometheus 3's OTLP receiver", () => {
  let prometheus: PrometheusServer;
  let services: ServiceProcess[] = [];

  beforeAll(async () => {
    const ports = await Promise.all([freePort(), freePort()]);
    prometheus = await startPrometheus(
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        // As docs/monitoring.md sets it up: the names a scrape gives, and the scope labels.
        'otlp:',
        '  translation_strategy: UnderscoreEscapingWithSuffixes',
        '  promote_scope_metadata: true',
        'scrape_configs:',
        '  - job_name: direct',
        '    scrape_native_histograms: true',
        '    always_scrape_classic_histograms: true',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${ports[0]}']`,
        '',
      ].join('\n'),
      { flags: ['--web.enable-otlp-receiver'] },
    );
    const endpoint = `${prometheus.url}/api/v1/otlp/v1/metrics`;
    services = await Promise.all([
      startService({
        AGENTMETER_E2E_INSTANCE: 'explicit',
        AGENTMETER_E2E_SERVICE: SERVICE_NAME,
        AGENTMETER_E2E_METRICS_PORT: String(ports[0]),
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: endpoint,
      }),
      // Exponential histograms over OTLP: Prometheus stores them as native histograms.
      startService({
        AGENTMETER_E2E_INSTANCE: 'exponential',
        AGENTMETER_E2E_SERVICE: `${SERVICE_NAME}-exponential`,
        AGENTMETER_E2E_METRICS_PORT: String(ports[1]),
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: 'base2_exponential_bucket_histogram',
      }),
    ]);
    await Promise.all(services.map((service) => service.request({ type: 'step', count: STEPS }, 'done')));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await prometheus?.stop();
  });

  it('shows exact totals under the names and whole label sets a direct scrape shows', async () => {
    for (const { metric, perStep } of STEP_TOTALS) {
      for (const job of [SERVICE_NAME, 'direct']) {
        const got = await waitFor(
          `${total(metric, job)} == ${perStep * STEPS}`,
          async () => {
            const [sample] = await prometheus.query(total(metric, job));
            return sample?.value === perStep * STEPS ? sample.value : undefined;
          },
          60_000,
        );
        expect(got, `${job} ${metric}`).toBe(perStep * STEPS);
      }
    }
    const pushed = await labelSets(prometheus, SERVICE_NAME);
    expect(pushed.some((set) => set.includes('["otel_scope_name","@agentmeter/core"]'))).toBe(true);
    expect(pushed).toEqual(await labelSets(prometheus, 'direct'));
  }, 120_000);

  it('stores exponential histograms pushed over OTLP as native histograms', async () => {
    const selector = `agentmeter_llm_latency_seconds{job="${SERVICE_NAME}-exponential"}`;
    const count = await waitFor(
      'the native histogram',
      async () => {
        const [sample] = await prometheus.query(`histogram_count(${selector})`);
        return sample?.value === STEPS ? sample.value : undefined;
      },
      60_000,
    );
    expect(count).toBe(STEPS);
    const [median] = await prometheus.query(`histogram_quantile(0.5, ${selector})`);
    // Every step records 0.75 s: the native bucket that holds it is a few percent wide.
    expect(median!.value).toBeGreaterThan(0.7);
    expect(median!.value).toBeLessThan(0.8);
  }, 120_000);
});
