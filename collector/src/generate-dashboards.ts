/**
 * Writes the Grafana dashboards, generated from the catalog, to collector/grafana/dashboards:
 *   pnpm --filter @agentmeter/collector-assets dashboards
 * A test regenerates them and fails when the checked-in JSON is stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS } from './dashboards/all.ts';
import { buildDashboard } from './dashboards/model.ts';

/** Where the dashboards are written (and provisioned from). */
export const DASHBOARD_DIR: string = join(dirname(fileURLToPath(import.meta.url)), '..', 'grafana', 'dashboards');

/** The JSON text of every dashboard, keyed by file name. */
export function renderDashboards(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [file, spec] of Object.entries(DASHBOARDS)) files[file] = `${JSON.stringify(buildDashboard(spec), null, 2)}\n`;
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(DASHBOARD_DIR, { recursive: true });
  for (const [file, text] of Object.entries(renderDashboards())) {
    writeFileSync(join(DASHBOARD_DIR, file), text);
    console.log(`wrote ${join(DASHBOARD_DIR, file)}`);
  }
}
