import { DATABASE_AND_CACHE } from './data.ts';
import { LLM_AND_COST } from './llm.ts';
import type { DashboardSpec } from './model.ts';
import { OVERVIEW } from './overview.ts';
import { RUNTIME } from './runtime.ts';
import { VOICE_PIPELINE } from './voice.ts';

/** Every shipped dashboard, keyed by the file it is written to under collector/grafana/dashboards. */
export const DASHBOARDS: Readonly<Record<string, DashboardSpec>> = {
  'overview.json': OVERVIEW,
  'llm-and-cost.json': LLM_AND_COST,
  'voice-pipeline.json': VOICE_PIPELINE,
  'database-and-cache.json': DATABASE_AND_CACHE,
  'runtime.json': RUNTIME,
};
