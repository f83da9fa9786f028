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
  PROMETHEUS_REMOTE_WRITE_URL: 'https://prometheus-prod-01-eu-west-0.grafana.net/api/prom/push',
  GRAFANA_CLOUD_INSTANCE_ID: INSTANCE_ID,
  GRAFANA_CLOUD_API_TOKEN: TOKEN,
};

describe('otelcol validate', () => {
  it.each([
    [['config.yaml']],
    [['config.yaml', 'wal.yaml']],
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
      writeFileSync(overlay, 'exporters:\n  prometheus_remote_write:\n    not_a_setting: true\n');
      const result = await run(findTool('otelcol'), ['validate', '--config', join(OTELCOL_DIR, 'config.yaml'), '--config', overlay],
        { env: { ...process.env, ...VALIDATE_ENV } });
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toContain('not_a_setting');
    } finally {
      dir.cleanup();
    }
  });
});


describe('three processes push OTLP to the built Collector, which remote-writes to Prometheus', () => {
  let prometheus: PrometheusServer;
  let collector: Child | undefined;
  let services: ServiceProcess[] = [];
  let ports: CollectorPorts;
  let env: NodeJS.ProcessEnv;
  let healthUrl: string;

  async function restartCollector(): Promise<void> {
    collector = await startCollector(['config.yaml'], ports, env);
  }

  async function steps(count: number): Promise<void> {
    await Promise.all(services.map((service) => service.request({ type: 'step', count }, 'done')));
  }

  /** Waits until both paths (remote write and direct scrape) show exactly `steps` steps per process. */
  async function expectTotals(stepsPerProcess: number): Promise<void> {
    for (const { metric, perStep } of STEP_TOTALS) {
      const expected = perStep * stepsPerProcess * PROCESSES;
      for (const job of [SERVICE_NAME, 'direct']) {
        const got = await waitFor(`${total(metric, job)} == ${expected}`, async () => {
          const [sample] = await prometheus.query(total(metric, job));
          return sample?.value === expected ? sample.value : undefined;
        }, 60_000).catch(async (error: unknown) => {
          const now = await prometheus.query(total(metric, job).replace(/^sum\((.*)\)$/, '$1'));
          throw new Error(`${String(error)}; now ${JSON.stringify(now)}\n${collector?.output() ?? ''}`, { cause: error });
        });
        expect(got, `${job} ${metric}`).toBe(expected);
      }
    }
  }

  beforeAll(async () => {
    ports = await collectorPorts();
    const [dead, ...metricsPorts] = await Promise.all(Array.from({ length: 1 + PROCESSES }, () => freePort()));
    prometheus = await startPrometheus([
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: direct',
      '    static_configs:',
      `      - targets: [${metricsPorts.map((p) => `'127.0.0.1:${p}'`).join(', ')}]`,
      '',
    ].join('\n'), { webConfig: `basic_auth_users:\n  '${INSTANCE_ID}': '${TOKEN_HASH}'\n`, authorization: AUTHORIZATION });
    healthUrl = `http://127.0.0.1:${ports.health}/`;
    env = collectorEnv(ports, {
      PROMETHEUS_REMOTE_WRITE_URL: `${prometheus.url}/api/v1/write`,
      GRAFANA_CLOUD_INSTANCE_ID: INSTANCE_ID,
      GRAFANA_CLOUD_API_TOKEN: TOKEN,
      // Nothing listens there: the Collector's scrape reports up == 0 (what ServiceDown reads).
      AGENTMETER_SCRAPE_TARGET: `127.0.0.1:${dead}`,
    });
    await restartCollector();
    services = await Promise.all(metricsPorts.map((port, index) => startService({
      AGENTMETER_E2E_INSTANCE: `process-${index}`,
      AGENTMETER_E2E_SERVICE: SERVICE_NAME,
      AGENTMETER_E2E_METRICS_PORT: String(port),
      AGENTMETER_E2E_OTLP_URL: `http://127.0.0.1:${ports.http}/v1/metrics`,
    })));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await collector?.stop();
    await prometheus?.stop();
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
    expect((await prometheus.query(`agentmeter_requests_total{job="${SERVICE_NAME}"}`)).map((s) => s.metric['instance']).toSorted())
      .toEqual(['process-0', 'process-1', 'process-2']);
  }, 300_000);

  it('forwards what its Prometheus receiver scrapes, and Prometheus required the basic auth', async () => {
    // The receiver's scrapes arrive as `up`: 1 for the Collector's own metrics, 0 for the dead target.
    const up = await waitFor('up series from the Collector', async () => {
      const byJob = Object.fromEntries((await prometheus.query('max by (job) (up)')).map((s) => [s.metric['job'], s.value]));
      return byJob['agentmeter'] !== undefined && Object.keys(byJob).some((job) => job.startsWith('otelcol')) ? byJob : undefined;
    }, 60_000);
    expect(up['agentmeter']).toBe(0);
    expect(Object.entries(up).filter(([job]) => job.startsWith('otelcol')).map(([, value]) => value)).toEqual([1]);
    const anonymous = await fetch(`${prometheus.url}/api/v1/write`, { method: 'POST', body: '' });
    expect(anonymous.status).toBe(401);
  }, 120_000);
});
