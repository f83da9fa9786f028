import { appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the suite leaves its figures, one JSON line each, for docs/reliability.md. */
export const FIGURES_FILE: string =
  process.env['AGENTMETER_RELIABILITY_FIGURES'] ?? join(tmpdir(), 'agentmeter-reliability', 'figures.jsonl');

/** Prints a measured figure and appends it to FIGURES_FILE; figures are reported, never asserted on time. */
export function reportFigure(name: string, value: number | string, unit = ''): void {
  console.log(`[reliability] ${name}: ${value}${unit === '' ? '' : ` ${unit}`}`);
  try {
    mkdirSync(join(FIGURES_FILE, '..'), { recursive: true });
    appendFileSync(FIGURES_FILE, `${JSON.stringify({ name, value, unit, at: new Date().toISOString() })}\n`);
  } catch {
    // Figures are a report; a read-only temp dir must not fail the suite.
  }
}
