import { writeFileSync } from 'node:fs';
import { renderMetricsMarkdown } from '@agentmeter/core/internal';

/** Writes docs/metrics.md from the catalog. */
const target = new URL('../docs/metrics.md', import.meta.url);
writeFileSync(target, renderMetricsMarkdown());
console.log(`wrote ${target.pathname}`);
