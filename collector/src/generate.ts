/**
 * Generates the Prometheus recording rules, alert rules, their promtool tests and the Grafana
 * dashboards for a namespace, from the catalog:
 *   pnpm --filter @agentmeter/collector-assets generate [--namespace digital_actors] [--out dir]
 * Without options it rewrites the shipped files (namespace `agentmeter`, into collector/); a test
 * regenerates them and fails when a checked-in file is stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dashboardsFor } from './dashboards/all.ts';
import { buildDashboard } from './dashboards/model.ts';
import { namesFor, NAMESPACE } from './metric-names.ts';
import { seedAlertTests } from './rules/alert-tests.ts';
import { operationsAlertTests, ratioTests } from './rules/alert-tests-operations.ts';
import { alertGroups } from './rules/alerts.ts';
import { renderAlertRules, renderAlertTests, renderRecordingRules } from './rules/model.ts';
import { recordingGroups } from './rules/recording.ts';

/** collector/, where the shipped files live. */
export const COLLECTOR_ROOT: string = join(dirname(fileURLToPath(import.meta.url)), '..');

export const RECORDING_FILE = 'prometheus/rules/recording.yml';
export const ALERTS_FILE = 'prometheus/rules/alerts.yml';
export const TESTS_FILE = 'prometheus/tests/alerts.test.yml';
export const DASHBOARD_FOLDER = 'grafana/dashboards';

const GENERATED = (namespace: string): string =>
  ` Generated for namespace "${namespace}" by collector/src/generate.ts; edit the generator, not this file.\n`;

/** Every generated file's text, keyed by its path relative to the output folder. */
export function renderAssets(namespace: string = NAMESPACE): Record<string, string> {
  const names = namesFor(namespace);
  const files: Record<string, string> = {
    [RECORDING_FILE]: renderRecordingRules(
      `${GENERATED(namespace)}
 Recording rules: request rates, error ratios and latency quantiles per service (\`job\` is the
 scrape job, or service.name when the Collector remote-writes), plus the SLIs the seed guides kept
 as in-process gauges (sli_*), and the windows the SLO burn-rate alerts use.
 Naming: level:metric:operations (https://prometheus.io/docs/practices/rules/).`,
      recordingGroups(names),
    ),
    [ALERTS_FILE]: renderAlertRules(
      `${GENERATED(namespace)}
 Alert rules, generalised from the seed guides: one rule per condition over the catalog's
 families (a \`provider\` label instead of one rule per vendor). Thresholds follow the seeds;
 change them in the generator to your service's budget. Every alert has unit tests in
 ../tests/alerts.test.yml, and a runbook line in docs/monitoring.md.`,
      alertGroups(names),
    ),
    [TESTS_FILE]: renderAlertTests(
      `${GENERATED(namespace)}
 promtool unit tests for every alert in ../rules/alerts.yml:
   promtool test rules prometheus/tests/alerts.test.yml`,
      ['../rules/recording.yml', '../rules/alerts.yml'],
      [...seedAlertTests(names), ...operationsAlertTests(names)],
      ratioTests(names),
    ),
  };
  for (const [file, spec] of Object.entries(dashboardsFor(names))) {
    files[`${DASHBOARD_FOLDER}/${file}`] = `${JSON.stringify(buildDashboard(spec), null, 2)}\n`;
  }
  return files;
}

/** Writes the files for a namespace under `out`; returns the paths written. */
export function writeAssets(namespace: string, out: string): string[] {
  return Object.entries(renderAssets(namespace)).map(([file, text]) => {
    const path = join(out, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { namespace: { type: 'string', default: NAMESPACE }, out: { type: 'string' } },
  });
  const out = values.out === undefined ? COLLECTOR_ROOT : resolve(process.env['INIT_CWD'] ?? process.cwd(), values.out);
  for (const path of writeAssets(values.namespace, out)) console.log(`wrote ${path}`);
}
