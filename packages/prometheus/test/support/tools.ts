import { spawnSync } from 'node:child_process';

/** The path of a required command-line tool; fails the test (never skips) when it is missing. */
export function requireTool(name: 'promtool' | 'prometheus'): string {
  const probe = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `${name} is required by this test but was not found on PATH. Install Debian's prometheus package ` +
      '(apt-get update && apt-get install -y prometheus) or run collector/scripts/ensure-tools.sh.',
    );
  }
  return name;
}

/** Runs `promtool check metrics` on an exposition; returns its combined output and exit status. */
export function promtoolCheck(exposition: string): { status: number | null; output: string } {
  const result = spawnSync(requireTool('promtool'), ['check', 'metrics'], { input: exposition, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}
