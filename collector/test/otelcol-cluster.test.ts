import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterApp } from '../../packages/node/test/cluster-app.ts';
import { samples, scrape, sendRequests } from '../../packages/node/test/helpers.ts';
import { collectorEnv, collectorPorts, startCollector } from './helpers/otelcol.ts';
import { freePort, startPrometheus, waitFor, type Child, type PrometheusServer } from './helpers/processes.ts';

const INSTANCE_ID = '123456';
const TOKEN = 'agentmeter-test-token';
/** bcrypt (cost 4) of TOKEN, for Prometheus' basic_auth_users. */
const TOKEN_HASH = '$2b$04$wwJakLpiIjgT3MNreQCzlOxXQ1jKA38tYvD5Mlo.FUWiTGWoZ1s7y';
const AUTHORIZATION = `Basic ${Buffer.from(`${INSTANCE_ID}:${TOKEN}`).toString('base64')}`;
/** The fixture's service.name, which the Collector turns into the job label. */
const JOB = 'cluster-app';
const WORKERS = 3;
const REQUESTS = 300;

describe('OTLP under node:cluster: every worker pushes with its own service.instance.id', () => {
  let prometheus: PrometheusServer;
  let collector: Child | undefined;
  let app: ClusterApp | undefined;

  beforeAll(async () => {
    const ports = await collectorPorts();
    prometheus = await startPrometheus('global: { scrape_interval: 1s, evaluation_interval: 1s }\n', {
      webConfig: `basic_auth_users:\n  '${INSTANCE_ID}': '${TOKEN_HASH}'\n`,
      authorization: AUTHORIZATION,
    });
    collector = await startCollector(
      ['remote-write.yaml'],
      ports,
      collectorEnv(ports, {
        PROMETHEUS_REMOTE_WRITE_URL: `${prometheus.url}/api/v1/write`,
        GRAFANA_CLOUD_INSTANCE_ID: INSTANCE_ID,
        GRAFANA_CLOUD_API_TOKEN: TOKEN,
        AGENTMETER_SCRAPE_TARGET: `127.0.0.1:${await freePort()}`,
      }),
    );
    app = new ClusterApp({
      WORKERS: String(WORKERS),
      QUIET: '1',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${ports.http}/v1/metrics`,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
    });
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    await collector?.stop();
    await prometheus?.stop();
  });

  it("gives the Collector exact totals, which the primary's merged /metrics shows too", async () => {
    const { metrics, app: appUrl } = (await app!.next()) as { metrics: string; app: string };
    await sendRequests(appUrl, REQUESTS);

    for (const query of [
      `sum(agentmeter_requests_total{job="${JOB}"})`,
      `sum(http_server_request_duration_seconds_count{job="${JOB}"})`,
    ]) {
      const got = await waitFor(
        `${query} == ${REQUESTS}`,
        async () => {
          const [sample] = await prometheus.query(query);
          return sample?.value === REQUESTS ? sample.value : undefined;
        },
        60_000,
      ).catch(async (error: unknown) => {
        throw new Error(
          `${String(error)}; now ${JSON.stringify(await prometheus.query(query))}\n${collector?.output() ?? ''}`,
          { cause: error },
        );
      });
      expect(got).toBe(REQUESTS);
    }
    // One series per worker that served requests, each named by its own service.instance.id.
    const instances = (await prometheus.query(`agentmeter_requests_total{job="${JOB}"}`)).map(
      (sample) => sample.metric['instance'],
    );
    expect(new Set(instances).size).toBe(instances.length);
    expect(instances.length).toBeGreaterThan(1);
    expect(instances.length).toBeLessThanOrEqual(WORKERS);

    const text = await scrape(metrics);
    expect(samples(text, 'agentmeter_requests_total').reduce((sum, [, value]) => sum + value, 0)).toBe(REQUESTS);
  }, 180_000);
});
