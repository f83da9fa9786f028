import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEP_TOTALS } from './fixtures/workload.ts';
import { collectorEnv, collectorPorts, startCollector, type CollectorPorts } from './helpers/otelcol.ts';
import { freePort, startPrometheus, tempDir, waitFor, type Child, type PrometheusServer } from './helpers/processes.ts';
import { startService, type ServiceProcess } from './helpers/services.ts';

const SERVICE_NAME = 'agentmeter-protocols';
const STEPS = 4;
const USER = 'agent';
const PASSWORD = 'otlp-s3cret';
const AUTHORIZATION = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

/** Each protocol with the standard variables a user sets for it; the receiver demands basic auth, so the headers must arrive. */
const CASES = [
  {
    instance: 'http-protobuf',
    env: (ports: CollectorPorts) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${ports.http}`,
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    }),
  },
  {
    instance: 'grpc',
    env: (ports: CollectorPorts) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${ports.grpc}`,
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'gzip',
    }),
  },
  {
    instance: 'http-json',
    env: (ports: CollectorPorts) => ({
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${ports.http}/v1/metrics`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TIMEOUT: '350',
    }),
  },
] as const;

/** The local profile, with an OTLP receiver that refuses requests without the basic-auth header. */
const AUTH_OVERLAY = `
extensions:
  basicauth/otlp:
    htpasswd:
      inline: "${USER}:${PASSWORD}"
receivers:
  otlp:
    protocols:
      grpc:
        auth:
          authenticator: basicauth/otlp
      http:
        auth:
          authenticator: basicauth/otlp
service:
  extensions: [health_check, basicauth/otlp]
`;

describe('OTLP as users configure it: each protocol through the standard variables, into the built Collector', () => {
  let prometheus: PrometheusServer;
  let collector: Child | undefined;
  let services: ServiceProcess[] = [];
  const dir = tempDir('otlp-protocols');

  beforeAll(async () => {
    const ports = await collectorPorts();
    prometheus = await startPrometheus('global: { scrape_interval: 1s, evaluation_interval: 1s }\n');
    const overlay = join(dir.path, 'auth.yaml');
    writeFileSync(overlay, AUTH_OVERLAY);
    collector = await startCollector(
      ['local.yaml', overlay],
      ports,
      collectorEnv(ports, {
        PROMETHEUS_REMOTE_WRITE_URL: `${prometheus.url}/api/v1/write`,
      }),
    );
    const metricsPorts = await Promise.all(CASES.map(() => freePort()));
    services = await Promise.all(
      CASES.map((one, index) =>
        startService({
          AGENTMETER_E2E_INSTANCE: one.instance,
          AGENTMETER_E2E_SERVICE: SERVICE_NAME,
          AGENTMETER_E2E_METRICS_PORT: String(metricsPorts[index]),
          OTEL_EXPORTER_OTLP_HEADERS: `Authorization=${encodeURIComponent(AUTHORIZATION)}`,
          ...one.env(ports),
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

  it('delivers exact totals over http/protobuf, grpc and http/json, with the headers, compression and timeout variables', async () => {
    await Promise.all(services.map((service) => service.request({ type: 'step', count: STEPS }, 'done')));
    for (const { metric, perStep } of STEP_TOTALS) {
      const selector = metric.includes('{')
        ? metric.replace('{', `{job="${SERVICE_NAME}", `)
        : `${metric}{job="${SERVICE_NAME}"}`;
      const expected = Object.fromEntries(CASES.map((one) => [one.instance, perStep * STEPS]));
      const got = await waitFor(
        `${metric} from every protocol`,
        async () => {
          const byInstance = Object.fromEntries(
            (await prometheus.query(`sum by (instance) (${selector})`)).map((s) => [s.metric['instance'], s.value]),
          );
          return CASES.every((one) => byInstance[one.instance] === expected[one.instance]) ? byInstance : undefined;
        },
        60_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${collector?.output() ?? ''}`, { cause: error });
      });
      expect(got, metric).toEqual(expected);
    }
  }, 180_000);
});
