import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** collector/ in the repository. */
export const COLLECTOR_DIR: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const ENSURE = 'bash collector/scripts/ensure-tools.sh';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where build-otelcol.sh puts the Collector built from builder-config.yaml (keyed by the manifest's SHA-256). */
export function otelcolPath(): string {
  const bytes = readFileSync(join(COLLECTOR_DIR, 'builder-config.yaml'));
  const manifest = bytes.toString('utf8');
  const version = /^ {2}version:\s*(\S+)/m.exec(manifest)?.[1];
  const name = /^ {2}name:\s*(\S+)/m.exec(manifest)?.[1];
  const key = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  const cache = process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache');
  return join(cache, 'agentmeter', `otelcol-${version}-${key}`, name ?? 'otelcol-agentmeter');
}

/** Where build-prometheus.sh puts Prometheus 3 and its promtool (the version is the script's default). */
export function prometheusDir(): string {
  const script = readFileSync(join(COLLECTOR_DIR, 'scripts', 'build-prometheus.sh'), 'utf8');
  const version =
    process.env['AGENTMETER_PROMETHEUS_MODULE_VERSION'] ??
    /AGENTMETER_PROMETHEUS_MODULE_VERSION:-(v[\w.-]+)/.exec(script)?.[1];
  const cache = process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache');
  return join(cache, 'agentmeter', `prometheus-${version}`);
}

/**
 * Finds a tool the tests need: Prometheus 3 and promtool, and the Collector, in the build cache;
 * amtool on PATH or in /usr/bin (Debian's package). A missing tool fails the test with the
 * command that installs it.
 */
export function findTool(name: 'promtool' | 'prometheus' | 'amtool' | 'alertmanager' | 'chromium' | 'otelcol'): string {
  if (name === 'otelcol') {
    const path = process.env['AGENTMETER_OTELCOL'] ?? otelcolPath();
    if (executable(path)) return path;
    throw new Error(
      `The OpenTelemetry Collector is not built (looked for ${path}); run \`${ENSURE}\` (or collector/scripts/build-otelcol.sh).`,
    );
  }
  if (name === 'prometheus' || name === 'promtool') {
    const path = join(prometheusDir(), name);
    if (executable(path)) return path;
    throw new Error(
      `Prometheus 3 is not built (looked for ${path}); run \`${ENSURE}\` (or collector/scripts/build-prometheus.sh).`,
    );
  }
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  // Debian names the Alertmanager binary prometheus-alertmanager.
  const names = name === 'alertmanager' ? ['alertmanager', 'prometheus-alertmanager'] : [name];
  for (const dir of dirs) {
    for (const file of names) if (dir !== '' && executable(join(dir, file))) return join(dir, file);
  }
  throw new Error(
    `${name} is not installed (not on PATH nor in /usr/bin); run \`${ENSURE}\` to install Debian's prometheus-alertmanager package.`,
  );
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion and returns its exit code and output (never throws on failure). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 32 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
