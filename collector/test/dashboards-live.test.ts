import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../src/dashboards/all.ts';
import { buildDashboard, dashboardQueries } from '../src/dashboards/model.ts';
import { SCRAPE_SERIES } from '../src/metric-names.ts';
import { metricNamesIn } from '../src/promql-names.ts';
import { collectorEnv, collectorPorts, startCollector } from './helpers/otelcol.ts';
import { freePort, startPrometheus, waitFor, type Child, type PrometheusServer } from './helpers/processes.ts';
import { alertRules, recordingRules, RULES_DIR } from './helpers/rules.ts';
import { startService, type ServiceProcess } from './helpers/services.ts';

const SCRAPED = 'agentmeter-scraped';
const PUSHED = 'agentmeter-pushed';

/** A panel query as Grafana would send it, for one service. */
function resolve(expr: string, job: string): string {
  return expr.replaceAll('$job', job).replaceAll('$__rate_interval', '1m').replaceAll('$__range', '5m');
}

const QUERIES = Object.values(DASHBOARDS)
  .map(buildDashboard)
  .flatMap((dashboard) => dashboardQueries(dashboard).map((q) => ({ ...q, dashboard: dashboard.title })));

describe('every dashboard panel returns data from a real Prometheus', () => {
  let prometheus: PrometheusServer;
  let collector: Child;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    const ports = await collectorPorts();
    const [metricsPort = 0, pushedMetricsPort = 0] = await Promise.all([freePort(), freePort()]);
    prometheus = await startPrometheus(
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'rule_files:',
        `  - ${join(RULES_DIR, 'recording.yml')}`,
        `  - ${join(RULES_DIR, 'alerts.yml')}`,
        'scrape_configs:',
        `  - job_name: ${SCRAPED}`,
        `    static_configs: [{ targets: ['127.0.0.1:${metricsPort}'] }]`,
        '',
      ].join('\n'),
    );
    // The same load pushed through the Collector's local profile.
    collector = await startCollector(
      ['local.yaml'],
      ports,
      collectorEnv(ports, { PROMETHEUS_REMOTE_WRITE_URL: `${prometheus.url}/api/v1/write` }),
    );
    services.push(
      await startService({ AGENTMETER_E2E_SERVICE: SCRAPED, AGENTMETER_E2E_METRICS_PORT: String(metricsPort) }),
    );
    services.push(
      await startService({
        AGENTMETER_E2E_SERVICE: PUSHED,
        AGENTMETER_E2E_METRICS_PORT: String(pushedMetricsPort),
        AGENTMETER_E2E_OTLP_URL: `http://127.0.0.1:${ports.http}/v1/metrics`,
      }),
    );
    await Promise.all(services.map((service) => service.request({ type: 'load' }, 'loading')));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await collector?.stop();
    await prometheus?.stop();
  });

  it('has queries to check', () => {
    expect(QUERIES.length).toBeGreaterThan(60);
  });

  it.each([SCRAPED, PUSHED])(
    'for the service %s',
    async (job) => {
      // A service that pushes through the Collector is no scrape target, so it has no `up` series.
      const queries =
        job === PUSHED
          ? QUERIES.filter((q) => !metricNamesIn(q.expr).every((name) => SCRAPE_SERIES.includes(name)))
          : QUERIES;
      const pending = new Map(queries.map((q) => [`${q.dashboard} / ${q.panel}: ${q.expr}`, resolve(q.expr, job)]));
      // Rates need two samples and recording rules an evaluation: poll until every query has data.
      await waitFor(
        'every panel query to return data',
        async () => {
          for (const [name, expr] of pending) {
            const samples = await prometheus.query(expr);
            if (samples.some((s) => Number.isFinite(s.value))) pending.delete(name);
          }
          return pending.size === 0 ? true : undefined;
        },
        120_000,
        1_000,
      ).catch(() => undefined);
      expect([...pending.keys()]).toEqual([]);
    },
    180_000,
  );

  it('evaluates every rule without error, and every recording rule has data', async () => {
    await waitFor(
      'every recording rule to have data',
      async () => {
        for (const { record } of recordingRules()) {
          if ((await prometheus.query(`${record}{job="${PUSHED}"}`)).length === 0) return undefined;
        }
        return true;
      },
      120_000,
      1_000,
    ).catch(() => undefined);
    const empty: string[] = [];
    for (const { record } of recordingRules()) {
      if ((await prometheus.query(`${record}{job="${PUSHED}"}`)).length === 0) empty.push(record);
    }
    expect(empty).toEqual([]);
    const data = (await prometheus.api('/api/v1/rules')) as {
      groups: { rules: { name: string; health: string; lastError?: string }[] }[];
    };
    const rules = data.groups.flatMap((group) => group.rules);
    expect(rules.length).toBe(recordingRules().length + alertRules().length);
    expect(
      rules
        .filter((rule) => rule.health !== 'ok')
        .map((rule) => `${rule.name}: ${rule.health} ${rule.lastError ?? ''}`),
    ).toEqual([]);
  }, 180_000);
});
