import { namesFor, NAMESPACE, type Names } from '../metric-names.ts';
import { databaseAndCache } from './data.ts';
import { llmAndCost } from './llm.ts';
import type { DashboardSpec } from './model.ts';
import { overview } from './overview.ts';
import { dashboardNames } from './queries.ts';
import { runtime } from './runtime.ts';
import { voicePipeline } from './voice.ts';

/** Every shipped dashboard for a namespace, keyed by the file it is written to under grafana/dashboards. */
export function dashboardsFor(names: Names): Readonly<Record<string, DashboardSpec>> {
  const n = dashboardNames(names);
  return {
    'overview.json': overview(n),
    'llm-and-cost.json': llmAndCost(n),
    'voice-pipeline.json': voicePipeline(n),
    'database-and-cache.json': databaseAndCache(n),
    'runtime.json': runtime(),
  };
}

/** The shipped dashboards (namespace `agentmeter`). */
export const DASHBOARDS: Readonly<Record<string, DashboardSpec>> = dashboardsFor(namesFor(NAMESPACE));
