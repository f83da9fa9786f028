import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../src/index.ts';
import { renderMetricsMarkdown } from '../src/internal.ts';

describe('docs/metrics.md', () => {
  it('is generated from the catalog and up to date (run `pnpm docs:metrics` when this fails)', () => {
    const checkedIn = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
    expect(checkedIn).toBe(renderMetricsMarkdown());
  });

  it('lists every instrument and every seed name it replaces', () => {
    const text = renderMetricsMarkdown();
    for (const spec of Object.values(CATALOG)) {
      expect(text).toContain(spec.description);
      for (const seed of spec.replaces) expect(text).toContain(`\`${seed}\``);
    }
    expect(renderMetricsMarkdown('digital_actors')).toContain('`digital_actors_requests_total`');
  });
});
