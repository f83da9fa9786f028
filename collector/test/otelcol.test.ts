import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEP_TOTALS } from './fixtures/workload.ts';
import { labelSets, total } from './helpers/compare.ts';
import { collectorEnv, collectorPorts, startCollector, type CollectorPorts } from './helpers/otelcol.ts';
import { freePort, startPrometheus, tempDir, waitFor, type Child, type PrometheusServer } from './helpers/processes.ts';
import { startService, type ServiceProcess } from './helpers/services.ts';
import { COLLECTOR_DIR, findTool, run } from './helpers/tools.ts';

const OTELCOL_DIR = join(COLLECTOR_DIR, 'otelcol');
const INSTANCE_ID = '123456';
const TOKEN = 'agentmeter-test-token';
/** bcrypt (cost 4) of TOKEN, for Prometheus' basic_auth_users. */
const TOKEN_HASH = '$2b$04$wwJakLpiIjgT3MNreQCzlOxXQ1jKA38tYvD5Mlo.FUWiTGWoZ1s7y';
const AUTHORIZATION = `Basic ${Buffer.from(`${INSTANCE_ID}:${TOKEN}`).toString('base64')}`;
const SERVICE_NAME = 'agentmeter-e2e';
const PROCESSES = 3;
const STEPS_PER_PHASE = 5;

const VALIDATE_ENV = {
  GRAFANA_CLOUD_OTLP_ENDPOINT: 'https://otlp-gateway-prod-eu-west-2.grafana.net/otlp',
  PROMETHEUS_REMOTE_WRITE_URL: 'https://prometheus-prod-01-eu-west-0.grafana.net/api/prom/push',
  GRAFANA_CLOUD_INSTANCE_ID: INSTANCE_ID,
  GRAFANA_CLOUD_API_TOKEN: TOKEN,
};

/** The two shipped profiles, as the end-to-end test runs them against a real Prometheus. */
interface Profile {
  readonly name: string;
  readonly config: string;
  /** The path the Collector sends to (and that must refuse a request without the basic auth). */
  readonly ingest: string;
  readonly flags: readonly string[];
  /** prometheus.yml lines the profile needs (the OTLP receiver's naming, as docs/monitoring.md sets it). */
  readonly promConfig: readonly string[];
  env(prometheusUrl: string, dir: string): Record<string, string>;
}

const PROFILES: readonly Profile[] = [
  {
    name: 'OTLP/HTTP to an OTLP gateway (config.yaml, the default), with its persistent sending queue',
    config: 'config.yaml',
    ingest: '/api/v1/otlp/v1/metrics',
    flags: ['--web.enable-otlp-receiver'],
    promConfig: ['otlp:', '  translation_strategy: UnderscoreEscapingWithSuffixes', '  promote_scope_metadata: true'],
    // Prometheus 3's OTLP receiver stands in for Grafana Cloud's gateway: same path shape, same basic auth.
    env: (url, dir) => ({
      GRAFANA_CLOUD_OTLP_ENDPOINT: `${url}/api/v1/otlp`,
      AGENTMETER_COLLECTOR_QUEUE_DIR: join(dir, 'queue'),
    }),
  },
  {
    name: 'remote write (remote-write.yaml, the profile for Prometheus, Mimir and Thanos)',
    config: 'remote-write.yaml',
    ingest: '/api/v1/write',
    flags: [],
    promConfig: [],
    env: (url) => ({ PROMETHEUS_REMOTE_WRITE_URL: `${url}/api/v1/write` }),
  },
];

describe('otelcol validate', () => {
  it.each([
    [['config.yaml']],
    [['remote-write.yaml']],
    [['remote-write.yaml', 'wal.yaml']],
    [['local.yaml']],
    [['local.yaml', 'wal.yaml']],
  ])('accepts %j', async (files) => {
    const args = ['validate', ...files.flatMap((file) => ['--config', join(OTELCOL_DIR, file)])];
    const result = await run(findTool('otelcol'), args, { env: { ...process.env, ...VALIDATE_ENV } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('rejects a config with a mistake', async () => {
    const dir = tempDir('otelcol-bad');
    try {
      const overlay = join(dir.path, 'bad.yaml');
      writeFileSync(overlay, 'exporters:\n  otlp_http/grafana_cloud:\n    sending_queue:\n      not_a_setting: true\n');
      const result = await run(
        findTool('otelcol'),
        ['validate', '--config', join(OTELCOL_DIR, 'config.yaml'), '--config', overlay],
        { env: { ...process.env, ...VALIDATE_ENV } },
      );
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toContain('not_a_setting');
    } finally {
      dir.cleanup();
    }
  });
});

describe.each(PROFILES)(
  'three processes push OTLP to the built Collector, which sends to Prometheus: $name',
  (profile) => {
    let prometheus: PrometheusServer;
    const dir = tempDir('otelcol-e2e');
    let collector: Child | undefined;
    let services: ServiceProcess[] = [];
    let ports: CollectorPorts;
    let env: NodeJS.ProcessEnv;
    let healthUrl: string;

    async function restartCollector(): Promise<void> {
      collector = await startCollector([profile.config], ports, env);
    }

    async function steps(count: number): Promise<void> {
      await Promise.all(services.map((service) => service.request({ type: 'step', count }, 'done')));
    }

    /** Waits until both paths (remote write and direct scrape) show exactly `steps` steps per process. */
    async function expectTotals(stepsPerProcess: number): Promise<void> {
      for (const { metric, perStep } of STEP_TOTALS) {
        const expected = perStep * stepsPerProcess * PROCESSES;
        for (const job of [SERVICE_NAME, 'direct']) {
          const got = await waitFor(
            `${total(metric, job)} == ${expected}`,
            async () => {
              const [sample] = await prometheus.query(total(metric, job));
              return sample?.value === expected ? sample.value : undefined;
            },
            60_000,
          ).catch(async (error: unknown) => {
            const now = await prometheus.query(total(metric, job).replace(/^sum\((.*)\)$/, '$1'));
            throw new Error(`${String(error)}; now ${JSON.stringify(now)}\n${collector?.output() ?? ''}`, {
              cause: error,
            });
          });
          expect(got, `${job} ${metric}`).toBe(expected);
        }
      }
    }

    beforeAll(async () => {
      ports = await collectorPorts();
      const [dead, ...metricsPorts] = await Promise.all(Array.from({ length: 1 + PROCESSES }, () => freePort()));
      prometheus = await startPrometheus(
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          ...profile.promConfig,
          'scrape_configs:',
          '  - job_name: direct',
          '    static_configs:',
          `      - targets: [${metricsPorts.map((p) => `'127.0.0.1:${p}'`).join(', ')}]`,
          '',
        ].join('\n'),
        {
          webConfig: `basic_auth_users:\n  '${INSTANCE_ID}': '${TOKEN_HASH}'\n`,
          authorization: AUTHORIZATION,
          flags: profile.flags,
        },
      );
      healthUrl = `http://127.0.0.1:${ports.health}/`;
      env = collectorEnv(ports, {
        ...profile.env(prometheus.url, dir.path),
        GRAFANA_CLOUD_INSTANCE_ID: INSTANCE_ID,
        GRAFANA_CLOUD_API_TOKEN: TOKEN,
        // Nothing listens there: the Collector's scrape reports up == 0 (what ServiceDown reads).
        AGENTMETER_SCRAPE_TARGET: `127.0.0.1:${dead}`,
      });
      await restartCollector();
      services = await Promise.all(
        metricsPorts.map((port, index) =>
          startService({
            AGENTMETER_E2E_INSTANCE: `process-${index}`,
            AGENTMETER_E2E_SERVICE: SERVICE_NAME,
            AGENTMETER_E2E_METRICS_PORT: String(port),
            AGENTMETER_E2E_OTLP_URL: `http://127.0.0.1:${ports.http}/v1/metrics`,
          }),
        ),
      );
    }, 180_000);

    afterAll(async () => {
      await Promise.all(services.map((service) => service.stop()));
      await collector?.stop();
      await prometheus?.stop();
      dir.cleanup();
    });

    it('shows exact totals, through a Collector outage, under the names a direct scrape shows', async () => {
      await steps(STEPS_PER_PHASE);
      await expectTotals(STEPS_PER_PHASE);

      // A bounded outage: the Collector is stopped while the processes keep recording.
      await collector!.stop();
      await expect(fetch(healthUrl)).rejects.toThrow();
      await steps(STEPS_PER_PHASE);
      await sleep(3_000);
      await restartCollector();
      await steps(STEPS_PER_PHASE);
      await expectTotals(3 * STEPS_PER_PHASE);

      // Whole label sets, names and scope labels included, agree between the two paths.
      const remote = await labelSets(prometheus, SERVICE_NAME);
      expect(remote.some((set) => set.includes('"agentmeter_llm_latency_seconds_bucket"'))).toBe(true);
      expect(remote.some((set) => set.includes('"agentmeter_api_cost_usd_total"'))).toBe(true);
      expect(remote.every((set) => set.includes('["otel_scope_name","@agentmeter/core"]'))).toBe(true);
      expect(remote).toEqual(await labelSets(prometheus, 'direct'));
      // Each process is its own series (instance = service.instance.id).
      expect(
        (await prometheus.query(`agentmeter_requests_total{job="${SERVICE_NAME}"}`))
          .map((s) => s.metric['instance'])
          .toSorted(),
      ).toEqual(['process-0', 'process-1', 'process-2']);
    }, 300_000);

    it('forwards what its Prometheus receiver scrapes, and Prometheus required the basic auth', async () => {
      // The receiver's scrapes arrive as `up`: 1 for the Collector's own metrics, 0 for the dead target.
      const up = await waitFor(
        'up series from the Collector',
        async () => {
          const byJob = Object.fromEntries(
            (await prometheus.query('max by (job) (up)')).map((s) => [s.metric['job'], s.value]),
          );
          return byJob['agentmeter'] !== undefined && Object.keys(byJob).some((job) => job.startsWith('otelcol'))
            ? byJob
            : undefined;
        },
        60_000,
      );
      expect(up['agentmeter']).toBe(0);
      expect(
        Object.entries(up)
          .filter(([job]) => job.startsWith('otelcol'))
          .map(([, value]) => value),
      ).toEqual([1]);
      const anonymous = await fetch(`${prometheus.url}${profile.ingest}`, { method: 'POST', body: '' });
      expect(anonymous.status).toBe(401);
    }, 120_000);
  },
);
