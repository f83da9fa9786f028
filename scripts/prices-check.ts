import { createPricingTable } from '../packages/core/src/index.ts';
import { type ModelUse, priceReport } from './price-report.ts';

/**
 * `pnpm prices:check`: how old the bundled LLM price data is, and which models the demo and the
 * tests name that have no price. Exits 1 when the demo uses an unpriced model or the data is older
 * than STALE_DAYS. AGENTMETER_PRICING_FILE rows count as prices, as they do at run time.
 */
const STALE_DAYS = 120;
const root = new URL('..', import.meta.url).pathname;
const report = priceReport(createPricingTable(), root);

const list = (uses: readonly ModelUse[]): string[] =>
  uses.map(
    (use) =>
      `  ${use.provider === undefined ? '' : `${use.provider}/`}${use.model}  (${use.where.slice(0, 3).join(', ')}${use.where.length > 3 ? `, +${use.where.length - 3}` : ''})`,
  );

const lines: string[] = [];
const { source } = report;
if (source === undefined) lines.push('LLM prices: no source (the table was built with source: false)');
else
  lines.push(
    `LLM prices: ${source.name} ${source.version}, published ${source.published}, ${source.ageDays} days ago${source.ageDays > STALE_DAYS ? ` (older than ${STALE_DAYS} days: update the pinned version and run pnpm prices:generate)` : ''}`,
  );
lines.push(`Speech prices: agentmeter's own rows, the oldest dated ${report.oldestRow ?? 'none'}`);
lines.push(
  report.demoUnpriced.length === 0 ? 'Demo: every model it names has a price' : 'Demo models with no price:',
  ...list(report.demoUnpriced),
);
lines.push(
  report.testUnpriced.length === 0
    ? 'Tests: every model they name has a price'
    : 'Test and benchmark models with no price (fixtures may be unpriced on purpose):',
  ...list(report.testUnpriced),
);
console.log(lines.join('\n'));
if (report.demoUnpriced.length > 0 || (source !== undefined && source.ageDays > STALE_DAYS)) process.exitCode = 1;
