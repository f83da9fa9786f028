import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectorEnv, collectorPorts, startCollector } from './otelcol.ts';
import { freePort, startPrometheus, waitFor, type Child, type PrometheusServer } from './processes.ts';
import { startService, type ServiceProcess } from './services.ts';

export interface OutageSetup {
  /** The e2e service's job label. */
  readonly job: string;
  /** Collector config files (names under collector/otelcol/ or paths). */
  readonly configs: readonly string[];
  /** A scratch directory of the test (Prometheus's TSDB goes under it). */
  readonly dir: string;
  readonly promConfig: string;
  readonly promFlags?: readonly string[];
  /** The Collector's exporter settings, given the backend's URL. */
  readonly exporterEnv: (prometheusUrl: string) => Record<string, string>;
  /** Where each started process registers its stop. */
  readonly cleanups: (() => Promise<void> | void)[];
}

export interface OutageResult {
  /** The request total Prometheus shows for a moment inside the outage. */
  valueDuring(): Promise<number | undefined>;
  /** The request total now. */
  latest(): Promise<number | undefined>;
  /** Resolves once the restarted Collector delivers again (its self-scrape, every 15 s, shows it). */
  delivering(): Promise<void>;
}

/**
 * A backend outage during which the Collector itself restarts: the service sends 5 requests that
 * arrive, then 5 more while the backend is down; the service stops, the Collector restarts, and
 * the backend comes back. Whether the outage's points survive shows in `valueDuring()`.
 */
export async function outageAcrossRestart(setup: OutageSetup): Promise<OutageResult> {
  const { job, configs, cleanups } = setup;
  const requests = `sum(agentmeter_requests_total{job="${job}"})`;
  const ports = await collectorPorts();
  const [promPort, metrics] = await Promise.all([freePort(), freePort()]);
  const promOptions = { port: promPort, dataDir: join(setup.dir, 'tsdb'), flags: [...(setup.promFlags ?? [])] };
  let prometheus: PrometheusServer = await startPrometheus(setup.promConfig, promOptions);
  cleanups.push(() => prometheus.stop());
  const env = collectorEnv(ports, setup.exporterEnv(prometheus.url));
  const restart = async (): Promise<Child> => {
    const child = await startCollector(configs, ports, env);
    cleanups.push(() => child.stop());
    return child;
  };
  const collector = await restart();
  const service: ServiceProcess = await startService({
    AGENTMETER_E2E_SERVICE: job,
    AGENTMETER_E2E_METRICS_PORT: String(metrics),
    AGENTMETER_E2E_OTLP_URL: `http://127.0.0.1:${ports.http}/v1/metrics`,
  });
  cleanups.push(() => service.stop());

  await service.request({ type: 'step', count: 5 }, 'done');
  await waitFor(`${requests} == 5`, async () =>
    (await prometheus.query(requests))[0]?.value === 5 ? true : undefined,
  );

  // The backend goes away; the Collector keeps receiving 10 and cannot send it.
  await prometheus.stop();
  await service.request({ type: 'step', count: 5 }, 'done');
  await sleep(4_000);
  const during = Date.now() / 1000;
  await service.stop();
  // The Collector restarts while the backend is still down.
  await collector.stop();
  await restart();
  prometheus = await startPrometheus(setup.promConfig, promOptions);
  const restarted = Date.now() / 1000;
  const server = prometheus;
  return {
    valueDuring: async () => (await server.query(requests, during))[0]?.value,
    latest: async () => (await server.query(requests))[0]?.value,
    delivering: async () => {
      await waitFor(
        'the Collector to deliver again',
        async () => (((await server.query('max(timestamp(up))'))[0]?.value ?? 0) > restarted ? true : undefined),
        60_000,
      );
    },
  };
}
