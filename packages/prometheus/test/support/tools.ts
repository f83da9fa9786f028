import { spawnSync } from 'node:child_process';
import { findTool } from '../../../../collector/test/helpers/tools.ts';

/**
 * The path of Prometheus 3 or its promtool, as collector/scripts/ensure-tools.sh builds them;
 * fails the test (never skips) with the command to run when they are missing.
 */
export function requireTool(name: 'promtool' | 'prometheus'): string {
  return findTool(name);
}

/** Runs `promtool check metrics` on an exposition; returns its combined output and exit status. */
export function promtoolCheck(exposition: string): { status: number | null; output: string } {
  const result = spawnSync(requireTool('promtool'), ['check', 'metrics'], {
    input: exposition,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}
