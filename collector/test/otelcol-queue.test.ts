import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { collectorEnv, collectorPorts, startCollector } from './helpers/otelcol.ts';
import { freePort, startPrometheus, tempDir, waitFor, type Child, type PrometheusServer } from './helpers/processes.ts';
import { startService, type ServiceProcess } from './helpers/services.ts';

const JOB = 'agentmeter-queue';
const REQUESTS = `sum(agentmeter_requests_total{job="${JOB}"})`;
/** Prometheus 3's OTLP receiver, named as docs/monitoring.md sets it up: the gateway's stand-in. */
const PROM_CONFIG =
  'global: { scrape_interval: 1s }\notlp:\n  translation_strategy: UnderscoreEscapingWithSuffixes\n  promote_scope_metadata: true\n';
/** What config.yaml would be with an in-memory queue: the same exporter, its storage removed. */
const IN_MEMORY = 'exporters:\n  otlp_http/grafana_cloud:\n    sending_queue:\n      storage: null\n';

/**
 * The OTLP default (config.yaml) across a backend outage during which the Collector itself
 * restarts: its sending queue is on disk (file_storage), so what it could not send yet is sent
 * after the restart. Checked by querying Prometheus at a moment inside the outage once the backend
 * is back: only the queued points can answer with the outage's total.
 */
describe("the OTLP default's persistent sending queue across a backend outage and a Collector restart", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).toReversed()) await cleanup();
  });

  async function outage(overlay?: string): Promise<{
    valueDuring: () => Promise<number | undefined>;
    latest: () => Promise<number | undefined>;
    writing: () => Promise<void>;
  }> {
    const dir = tempDir('queue');
    cleanups.push(dir.cleanup);
    const configs = ['config.yaml'];
    if (overlay !== undefined) {
      writeFileSync(join(dir.path, 'overlay.yaml'), overlay);
      configs.push(join(dir.path, 'overlay.yaml'));
    }
    const ports = await collectorPorts();
    const [promPort, metrics] = await Promise.all([freePort(), freePort()]);
    const promOptions = { port: promPort, dataDir: join(dir.path, 'tsdb'), flags: ['--web.enable-otlp-receiver'] };
    let prometheus: PrometheusServer = await startPrometheus(PROM_CONFIG, promOptions);
    cleanups.push(() => prometheus.stop());
    const env = collectorEnv(ports, {
      GRAFANA_CLOUD_OTLP_ENDPOINT: `${prometheus.url}/api/v1/otlp`,
      GRAFANA_CLOUD_INSTANCE_ID: 'unused',
      GRAFANA_CLOUD_API_TOKEN: 'unused',
      AGENTMETER_COLLECTOR_QUEUE_DIR: join(dir.path, 'queue'),
      AGENTMETER_SCRAPE_TARGET: `127.0.0.1:${await freePort()}`,
    });
    const restart = async (): Promise<Child> => {
      const child = await startCollector(configs, ports, env);
      cleanups.push(() => child.stop());
      return child;
    };
    let collector = await restart();
    const service: ServiceProcess = await startService({
      AGENTMETER_E2E_SERVICE: JOB,
      AGENTMETER_E2E_METRICS_PORT: String(metrics),
      AGENTMETER_E2E_OTLP_URL: `http://127.0.0.1:${ports.http}/v1/metrics`,
    });
    cleanups.push(() => service.stop());

    await service.request({ type: 'step', count: 5 }, 'done');
    await waitFor(`${REQUESTS} == 5`, async () =>
      (await prometheus.query(REQUESTS))[0]?.value === 5 ? true : undefined,
    );

    // The backend goes away; the Collector keeps receiving 10 and cannot send it.
    await prometheus.stop();
    await service.request({ type: 'step', count: 5 }, 'done');
    await sleep(4_000);
    const during = Date.now() / 1000;
    await service.stop();
    // The Collector restarts while the backend is still down.
    await collector.stop();
    collector = await restart();
    prometheus = await startPrometheus(PROM_CONFIG, promOptions);
    const restarted = Date.now() / 1000;
    const server = prometheus;
    return {
      valueDuring: async () => (await server.query(REQUESTS, during))[0]?.value,
      latest: async () => (await server.query(REQUESTS))[0]?.value,
      // The Collector's self-scrape (every 15 s) shows when it sends again.
      writing: async () => {
        await waitFor(
          'the Collector to send again',
          async () => (((await server.query('max(timestamp(up))'))[0]?.value ?? 0) > restarted ? true : undefined),
          60_000,
        );
      },
    };
  }

  it('sends what it queued after the restart, with exact totals', async () => {
    const { valueDuring, latest } = await outage();
    await waitFor(
      'the outage points from the queue',
      async () => ((await valueDuring()) === 10 ? true : undefined),
      60_000,
    ).catch(() => undefined);
    expect(await valueDuring()).toBe(10);
    expect(await latest()).toBe(10);
  }, 180_000);

  it('loses them with an in-memory queue (what the storage is for)', async () => {
    const { valueDuring, writing } = await outage(IN_MEMORY);
    await writing();
    expect(await valueDuring()).toBe(5);
  }, 180_000);
});
