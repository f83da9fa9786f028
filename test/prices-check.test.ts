import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPricingTable } from '../packages/core/src/index.ts';
import { priceReport } from '../scripts/price-report.ts';

const root = new URL('..', import.meta.url).pathname;
const table = createPricingTable(undefined, { file: false });

describe('pnpm prices:check (scripts/price-report.ts)', () => {
  it("reports the price data's version and age, and that the demo's models all have prices", () => {
    const report = priceReport(table, root, Date.parse('2026-12-02T10:00:00Z'));
    expect(report.source).toEqual({
      name: '@pydantic/genai-prices',
      version: '0.1.8',
      published: '2026-09-23',
      ageDays: 70,
    });
    expect(report.oldestRow).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(report.demoUnpriced).toEqual([]);
    expect(report.testUnpriced).toContainEqual(expect.objectContaining({ provider: 'openai', model: 'gpt-test' }));
  });

  it('lists a model the demo names without a price, by provider, with where it is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentmeter-i18-check-'));
    mkdirSync(join(dir, 'examples', 'demo', 'src'), { recursive: true });
    writeFileSync(
      join(dir, 'examples', 'demo', 'src', 'agent.ts'),
      [
        "const a = { provider: 'openai', model: 'gpt-4o-mini' };",
        "const b = { provider: 'openai', model: 'gpt-nowhere-9' };",
        "await client.messages.create({ model: 'claude-haiku-4-5' });",
      ].join('\n'),
    );
    const report = priceReport(table, dir);
    expect(report.demoUnpriced).toEqual([
      { provider: 'openai', model: 'gpt-nowhere-9', where: ['examples/demo/src/agent.ts:2'] },
    ]);
    expect(report.testUnpriced).toEqual([]);
  });
});
