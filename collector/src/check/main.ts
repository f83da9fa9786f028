/**
 * Checks a running monitoring stack and prints one PASS or FAIL line per check (SKIP for an opt-in
 * panel no service fills, such as GC time without runtime: { gc: true }); exits 1 when a check
 * fails, 2 on a usage error:
 *   pnpm --filter @agentmeter/collector-assets check --prometheus http://localhost:9090 \
 *     [--alertmanager http://localhost:9093] [--service http://localhost:9464/metrics] [--namespace agentmeter] [--job name]
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { namesFor, NAMESPACE } from '../metric-names.ts';
import {
  checkAlertmanager,
  checkDashboards,
  checkRules,
  checkService,
  checkTargets,
  type CheckLine,
} from './checks.ts';

export interface StackCheckOptions {
  readonly prometheus: string;
  readonly alertmanager?: string;
  readonly service?: string;
  readonly namespace?: string;
  /** A `job` regex the dashboard queries select (the dashboards' Service variable); default every job. */
  readonly job?: string;
}

/** Runs every check the options ask for and returns the lines in order. */
export async function checkStack(options: StackCheckOptions): Promise<CheckLine[]> {
  const names = namesFor(options.namespace ?? NAMESPACE);
  const prometheus = options.prometheus.replace(/\/+$/, '');
  const lines: CheckLine[] = [];
  try {
    await fetch(`${prometheus}/-/ready`, { signal: AbortSignal.timeout(10_000) }).then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
    });
    lines.push({ ok: true, what: 'prometheus', detail: `ready at ${prometheus}` });
  } catch (error) {
    lines.push({
      ok: false,
      what: 'prometheus',
      detail: `unreachable at ${prometheus}: ${error instanceof Error ? error.message : String(error)}`,
    });
    return [...lines, ...(options.service === undefined ? [] : await checkService(options.service, names))];
  }
  lines.push(...(await guarded('targets', () => checkTargets(prometheus))));
  lines.push(...(await guarded('rules', () => checkRules(prometheus, names))));
  const alertmanager = options.alertmanager;
  if (alertmanager !== undefined)
    lines.push(...(await checkAlertmanager(prometheus, alertmanager.replace(/\/+$/, ''))));
  lines.push(...(await guarded('dashboards', () => checkDashboards(prometheus, names, options.job ?? '.+'))));
  if (options.service !== undefined) lines.push(...(await checkService(options.service, names)));
  return lines;
}

/** A check that could not run is a failed line, not a crash. */
async function guarded(what: string, run: () => Promise<CheckLine[]>): Promise<CheckLine[]> {
  try {
    return await run();
  } catch (error) {
    return [{ ok: false, what, detail: error instanceof Error ? error.message : String(error) }];
  }
}

export function formatLine(line: CheckLine): string {
  return `${line.skipped === true ? 'SKIP' : line.ok ? 'PASS' : 'FAIL'}  ${line.what}: ${line.detail}`;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        prometheus: { type: 'string' },
        alertmanager: { type: 'string' },
        service: { type: 'string' },
        namespace: { type: 'string' },
        job: { type: 'string' },
      },
    }));
    if (values.prometheus === undefined) throw new Error('--prometheus URL is required');
    const bad = [values.prometheus, values.alertmanager, values.service].find(
      (url) => url !== undefined && !URL.canParse(url),
    );
    if (bad !== undefined) throw new Error(`not a URL: ${bad}`);
    namesFor(values.namespace ?? NAMESPACE);
  } catch (error) {
    console.error(`check: ${error instanceof Error ? error.message : String(error)}`);
    console.error(
      'usage: check --prometheus URL [--alertmanager URL] [--service URL] [--namespace NAME] [--job REGEX]',
    );
    return 2;
  }
  const lines = await checkStack({ ...values, prometheus: values.prometheus });
  for (const line of lines) console.log(formatLine(line));
  const failed = lines.filter((line) => !line.ok).length;
  const skipped = lines.filter((line) => line.skipped === true).length;
  const checked = lines.length - skipped;
  const skips = skipped === 0 ? '' : `; ${skipped} opt-in ${skipped === 1 ? 'panel' : 'panels'} skipped`;
  console.log(failed === 0 ? `all ${checked} checks passed${skips}` : `${failed} of ${checked} checks failed${skips}`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main();
