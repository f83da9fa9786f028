import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARDS } from '../src/dashboards/all.ts';
import { buildDashboard, dashboardQueries, type GrafanaDashboard } from '../src/dashboards/model.ts';
import { COLLECTOR_ROOT, DASHBOARD_FOLDER } from '../src/generate.ts';
import { catalogMetricNames, emittedSeriesNames, SCRAPE_SERIES } from '../src/metric-names.ts';
import { metricNamesIn } from '../src/promql-names.ts';
import { alertRules, recordingRules } from './helpers/rules.ts';
import { COLLECTOR_DIR } from './helpers/tools.ts';

const DASHBOARD_DIR = join(COLLECTOR_ROOT, DASHBOARD_FOLDER);

function checkedIn(): Record<string, GrafanaDashboard> {
  const out: Record<string, GrafanaDashboard> = {};
  for (const file of readdirSync(DASHBOARD_DIR))
    out[file] = JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as GrafanaDashboard;
  return out;
}

describe('Grafana dashboards', () => {
  it('ships the five dashboards with unique uids and non-overlapping panels', () => {
    const titles = Object.values(DASHBOARDS).map((d) => d.title);
    expect(titles).toEqual([
      'agentmeter / Overview',
      'agentmeter / LLM and cost',
      'agentmeter / Voice pipeline',
      'agentmeter / Database and cache',
      'agentmeter / Runtime',
    ]);
    const dashboards = Object.values(checkedIn());
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
    for (const dashboard of dashboards) {
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of dashboard.panels) {
        expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
        if (panel.type !== 'row') expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      }
    }
  });

  it('every panel query uses only names the SDK emits or recording rules defined here', () => {
    const allowed = new Set([...emittedSeriesNames(), ...SCRAPE_SERIES, ...recordingRules().map((r) => r.record)]);
    const unknown: string[] = [];
    for (const dashboard of Object.values(checkedIn())) {
      for (const { panel, expr } of dashboardQueries(dashboard)) {
        const names = metricNamesIn(expr);
        expect(names.length, `${dashboard.title} / ${panel}: ${expr}`).toBeGreaterThan(0);
        for (const name of names) if (!allowed.has(name)) unknown.push(`${dashboard.title} / ${panel}: ${name}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('puts every catalog instrument on a dashboard', () => {
    const rules = new Map(recordingRules().map((r) => [r.record, r.expr]));
    const used = new Set<string>();
    for (const dashboard of Object.values(DASHBOARDS).map(buildDashboard)) {
      for (const { expr } of dashboardQueries(dashboard)) {
        for (const name of metricNamesIn(expr)) {
          used.add(name.replace(/_(bucket|sum|count)$/, ''));
          // A recording rule stands for the metrics it reads.
          for (const inner of metricNamesIn(rules.get(name) ?? '')) used.add(inner.replace(/_(bucket|sum|count)$/, ''));
        }
      }
    }
    expect(catalogMetricNames().filter((name) => !used.has(name))).toEqual([]);
  });

  it('shows what every alert watches on a panel', () => {
    const shown = new Set(
      Object.values(checkedIn()).flatMap((d) => dashboardQueries(d).flatMap((q) => metricNamesIn(q.expr))),
    );
    const unshown = alertRules().filter((rule) => !metricNamesIn(rule.expr).some((name) => shown.has(name)));
    expect(unshown.map((rule) => rule.alert)).toEqual([]);
  });

  it('is provisioned from the folder the generator writes', () => {
    const provider = parse(
      readFileSync(join(COLLECTOR_DIR, 'grafana', 'provisioning', 'dashboards', 'agentmeter.yml'), 'utf8'),
    ) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(provider.providers[0]?.type).toBe('file');
    const compose = readFileSync(join(COLLECTOR_DIR, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain(`./grafana/dashboards:${provider.providers[0]?.options.path}`);
  });
});
