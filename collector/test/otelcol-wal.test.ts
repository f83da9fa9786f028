import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { collectorEnv, collectorPorts, startCollector } from './helpers/otelcol.ts';
import { freePort, startPrometheus, tempDir, waitFor, type Child, type PrometheusServer } from './helpers/processes.ts';
import { startService, type ServiceProcess } from './helpers/services.ts';

const JOB = 'agentmeter-wal';
const REQUESTS = `sum(agentmeter_requests_total{job="${JOB}"})`;

/**
 * A backend outage during which the Collector itself restarts: the samples it had queued are
 * lost, unless wal.yaml keeps them on disk. Checked by querying Prometheus at a moment inside the
 * outage once the backend is back: only the replayed samples can answer with the outage's total.
 */
describe('the Collector across a backend outage and its own restart', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).toReversed()) await cleanup();
  });

  /**
   * Runs the outage and restarts everything; returns the request total Prometheus shows for a
   * moment inside the outage, and a check that the restarted Collector writes again.
   */
  async function outage(
    configs: readonly string[],
  ): Promise<{ valueDuring: () => Promise<number | undefined>; writing: () => Promise<void> }> {
    const dir = tempDir('wal');
    cleanups.push(dir.cleanup);
    const ports = await collectorPorts();
    const [promPort, metrics] = await Promise.all([freePort(), freePort()]);
    const promConfig = 'global: { scrape_interval: 1s }\n';
    const promOptions = { port: promPort, dataDir: join(dir.path, 'tsdb') };
    let prometheus: PrometheusServer = await startPrometheus(promConfig, promOptions);
    cleanups.push(() => prometheus.stop());
    const env = collectorEnv(ports, {
      PROMETHEUS_REMOTE_WRITE_URL: `${prometheus.url}/api/v1/write`,
      AGENTMETER_COLLECTOR_WAL_DIR: join(dir.path, 'otelcol-wal'),
      AGENTMETER_COLLECTOR_WAL_FLUSH_INTERVAL: '2s',
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
    prometheus = await startPrometheus(promConfig, promOptions);
    const restarted = Date.now() / 1000;
    const server = prometheus;
    const valueDuring = async (): Promise<number | undefined> => (await server.query(REQUESTS, during))[0]?.value;
    // The Collector's self-scrape (every 15 s) shows when it writes again.
    const writing = async (): Promise<void> => {
      await waitFor(
        'the Collector to write again',
        async () => (((await server.query('max(timestamp(up))'))[0]?.value ?? 0) > restarted ? true : undefined),
        60_000,
      );
    };
    return { valueDuring, writing };
  }

  it('keeps the samples of the outage with wal.yaml', async () => {
    const { valueDuring } = await outage(['local.yaml', 'wal.yaml']);
    await waitFor(
      'the outage samples from the WAL',
      async () => ((await valueDuring()) === 10 ? true : undefined),
      60_000,
    ).catch(() => undefined);
    expect(await valueDuring()).toBe(10);
  }, 180_000);

  it('loses them without it (what the WAL is for)', async () => {
    const { valueDuring, writing } = await outage(['local.yaml']);
    await writing();
    expect(await valueDuring()).toBe(5);
  }, 180_000);
});
