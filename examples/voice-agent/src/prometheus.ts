import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, onPath } from './processes.ts';

export interface DemoPrometheus {
  readonly url: string;
  readonly process: ChildProcess;
  /** Removes the temporary configuration and data (call after the process exited). */
  cleanup(): Promise<void>;
}

// The shipped rules (collector/prometheus/rules), when this checkout has them.
const RULES = fileURLToPath(new URL('../../../collector/prometheus/rules/', import.meta.url));

/** A demo configuration: the shipped rules, and one job scraping the demo service every 5 s. */
export function demoPrometheusConfig(target: string): string {
  const rules = ['recording.yml', 'alerts.yml'].map((file) => join(RULES, file)).filter((file) => existsSync(file));
  return [
    'global:',
    '  scrape_interval: 5s',
    '  evaluation_interval: 5s',
    ...(rules.length === 0 ? [] : ['rule_files:', ...rules.map((file) => `  - ${JSON.stringify(file)}`)]),
    'scrape_configs:',
    '  - job_name: agentmeter',
    '    static_configs:',
    `      - targets: [${JSON.stringify(target)}]`,
    '        labels:',
    '          environment: demo',
    '',
  ].join('\n');
}

/**
 * Starts Prometheus on 127.0.0.1 (port 9090 when free) scraping `target` (`127.0.0.1:PORT`), with
 * its data in a temporary directory. Undefined when no `prometheus` binary is on the PATH.
 */
export async function startDemoPrometheus(target: string): Promise<DemoPrometheus | undefined> {
  const binary = onPath('prometheus');
  if (binary === undefined) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'agentmeter-demo-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, demoPrometheusConfig(target));
  const port = await freePort(9090);
  const child = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // Prometheus logs to stderr; kept quiet unless it fails to start.
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-4000);
  });
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`\nprometheus exited with code ${code}:\n${log}\n`);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
