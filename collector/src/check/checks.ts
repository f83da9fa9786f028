import { parse } from 'yaml';
import { dashboardsFor } from '../dashboards/all.ts';
import { buildDashboard, dashboardQueries, optInPanels } from '../dashboards/model.ts';
import type { Names } from '../metric-names.ts';
import { alertGroups } from '../rules/alerts.ts';
import { recordingGroups } from '../rules/recording.ts';
import { readExposition } from './exposition.ts';

/** One line of the report. */
export interface CheckLine {
  readonly ok: boolean;
  /** Not checked, and no fault: an opt-in panel no service has turned on. */
  readonly skipped?: boolean;
  readonly what: string;
  readonly detail: string;
}

const pass = (what: string, detail: string): CheckLine => ({ ok: true, what, detail });
const fail = (what: string, detail: string): CheckLine => ({ ok: false, what, detail });
const skip = (what: string, detail: string): CheckLine => ({ ok: true, skipped: true, what, detail });

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  return response.json();
}

/** GET a Prometheus API path and return its `data`. */
async function prometheusApi(base: string, path: string): Promise<unknown> {
  const body = (await getJson(`${base}${path}`)) as { status: string; data?: unknown; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? body.status}`);
  return body.data;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Every scrape target up. */
export async function checkTargets(prometheus: string): Promise<CheckLine[]> {
  const data = (await prometheusApi(prometheus, '/api/v1/targets?state=active')) as {
    activeTargets: { labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }[];
  };
  if (data.activeTargets.length === 0)
    return [fail('targets', 'Prometheus has no scrape target: add the service to scrape_configs')];
  return data.activeTargets.map((t) => {
    const what = `target ${t.labels['job'] ?? ''} ${t.labels['instance'] ?? t.scrapeUrl}`;
    return t.health === 'up' ? pass(what, 'up') : fail(what, `${t.health}: ${t.lastError || 'not scraped yet'}`);
  });
}

/** Every shipped rule group loaded, and every rule in it healthy. */
export async function checkRules(prometheus: string, names: Names): Promise<CheckLine[]> {
  const data = (await prometheusApi(prometheus, '/api/v1/rules')) as {
    groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[];
  };
  const loaded = new Map(data.groups.map((g) => [g.name, g]));
  return [...recordingGroups(names), ...alertGroups(names)].map((shipped) => {
    const what = `rule group ${shipped.name}`;
    const group = loaded.get(shipped.name);
    if (group === undefined)
      return fail(what, 'not loaded: add rules/recording.yml and rules/alerts.yml to rule_files');
    const bad = group.rules.filter((r) => r.health !== 'ok' && r.health !== 'unknown');
    if (bad.length > 0)
      return fail(what, bad.map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`.trim()).join('; '));
    if (group.rules.length < shipped.rules.length)
      return fail(what, `${group.rules.length} of ${shipped.rules.length} rules loaded: reload the shipped file`);
    return pass(what, `${group.rules.length} rules healthy`);
  });
}

/** Alertmanager reachable with a loaded config that has a receiver, and Prometheus sending to it. */
export async function checkAlertmanager(prometheus: string, alertmanager: string): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  try {
    const status = (await getJson(`${alertmanager}/api/v2/status`)) as {
      config: { original: string };
      versionInfo?: { version?: string };
    };
    const config = parse(status.config.original) as { receivers?: Record<string, unknown>[] };
    const receivers = (config.receivers ?? [])
      .filter((r) => Object.keys(r).some((key) => key.endsWith('_configs')))
      .map((r) => String(r['name']));
    lines.push(pass('alertmanager', `reachable, version ${status.versionInfo?.version ?? 'unknown'}, config loaded`));
    lines.push(
      receivers.length > 0
        ? pass('alertmanager receivers', receivers.join(', '))
        : fail('alertmanager receivers', 'none configured: alerts reach nobody (see alertmanager/configure.sh)'),
    );
  } catch (error) {
    lines.push(fail('alertmanager', `unreachable at ${alertmanager}: ${message(error)}`));
  }
  try {
    const data = (await prometheusApi(prometheus, '/api/v1/alertmanagers')) as {
      activeAlertmanagers: { url: string }[];
    };
    const port = new URL(alertmanager).port;
    const active = data.activeAlertmanagers.map((a) => a.url);
    lines.push(
      active.length > 0 && (port === '' || active.some((url) => new URL(url).port === port))
        ? pass('prometheus -> alertmanager', active.join(', '))
        : fail(
            'prometheus -> alertmanager',
            `Prometheus sends alerts to ${active.length === 0 ? 'no Alertmanager' : active.join(', ')}: set alerting.alertmanagers`,
          ),
    );
  } catch (error) {
    lines.push(fail('prometheus -> alertmanager', message(error)));
  }
  return lines;
}

/** A panel query as Grafana sends it: the job filter and Grafana's interval variables filled in. */
export function resolveQuery(expr: string, job: string): string {
  return expr.replaceAll('$job', job).replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1h');
}

/**
 * Every dashboard panel's queries return data over the last 5 minutes, as a panel shows them (a
 * range query: one missed scrape does not empty a gauge's panel).
 */
export async function checkDashboards(prometheus: string, names: Names, job: string): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const end = Math.floor(Date.now() / 1000);
  const range = `&start=${end - 300}&end=${end}&step=5`;
  for (const spec of Object.values(dashboardsFor(names))) {
    const dashboard = buildDashboard(spec);
    const optIns = optInPanels(spec);
    const panels = new Map<string, string[]>();
    for (const { panel, expr } of dashboardQueries(dashboard)) panels.set(panel, [...(panels.get(panel) ?? []), expr]);
    for (const [panel, exprs] of panels) {
      const empty: string[] = [];
      for (const expr of exprs) {
        const query = resolveQuery(expr, job);
        try {
          const data = (await prometheusApi(
            prometheus,
            `/api/v1/query_range?query=${encodeURIComponent(query)}${range}`,
          )) as { result: unknown[] };
          if (data.result.length === 0) empty.push(query);
        } catch (error) {
          empty.push(`${query} (${message(error)})`);
        }
      }
      const what = `panel ${dashboard.title} / ${panel}`;
      const optIn = optIns.get(panel);
      lines.push(
        empty.length === 0
          ? pass(what, `${exprs.length} ${exprs.length === 1 ? 'query' : 'queries'} with data`)
          : optIn !== undefined && empty.length === exprs.length
            ? skip(what, `no data: opt-in, filled by services that start agentmeter with ${optIn}`)
            : fail(what, `no data: ${empty.join(' | ')}`),
      );
    }
  }
  return lines;
}

/** The service's /metrics answers 200 with a valid exposition holding the namespace's families. */
export async function checkService(service: string, names: Names): Promise<CheckLine[]> {
  const url = new URL(service);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/metrics';
  const what = `service ${url.href}`;
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(10_000),
      headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
    });
    if (!response.ok)
      return [
        fail(
          what,
          `HTTP ${response.status}${response.status === 401 ? ': a token is set (AGENTMETER_METRICS_TOKEN)' : ''}`,
        ),
      ];
    const report = readExposition(await response.text());
    if (report.problems.length > 0)
      return [fail(what, `invalid exposition: ${report.problems.slice(0, 5).join('; ')}`)];
    const ours = report.families.filter((f) => f.startsWith(`${names.ns}_`));
    if (ours.length === 0)
      return [fail(what, `valid, but no ${names.ns}_* family: is the namespace right (--namespace)?`)];
    return [pass(what, `valid, ${report.families.length} families, ${ours.length} ${names.ns}_*`)];
  } catch (error) {
    return [fail(what, `unreachable: ${message(error)}`)];
  }
}
