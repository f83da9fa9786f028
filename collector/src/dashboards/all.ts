import { createHash } from 'node:crypto';
import { namesFor, NAMESPACE, type Names } from '../metric-names.ts';
import { databaseAndCache } from './data.ts';
import { llmAndCost } from './llm.ts';
import type { DashboardSpec } from './model.ts';
import { overview } from './overview.ts';
import { dashboardNames } from './queries.ts';
import { runtime } from './runtime.ts';
import { voicePipeline } from './voice.ts';

/** Grafana refuses a dashboard uid longer than this. */
const MAX_UID = 40;

/**
 * A dashboard uid for a namespace: `agentmeter-overview` becomes `digital_actors-overview`, so one
 * Grafana holds both sets side by side. A namespace too long for the limit is shortened and
 * suffixed with a hash of the whole name, so two long namespaces still differ.
 */
export function namespacedUid(uid: string, ns: string): string {
  if (ns === NAMESPACE) return uid;
  const suffix = uid.replace(/^agentmeter-/, '');
  const plain = `${ns}-${suffix}`;
  if (plain.length <= MAX_UID) return plain;
  const hash = createHash('sha256').update(ns).digest('hex').slice(0, 8);
  return `${ns.slice(0, MAX_UID - suffix.length - hash.length - 2)}-${hash}-${suffix}`;
}

/** The same dashboard for another namespace: its own uid, title and tag (the shipped `agentmeter` set is unchanged). */
function forNamespace(spec: DashboardSpec, ns: string): DashboardSpec {
  if (ns === NAMESPACE) return spec;
  return { ...spec, uid: namespacedUid(spec.uid, ns), title: spec.title.replace(/^agentmeter /, `${ns} `), tag: ns };
}

/** Every shipped dashboard for a namespace, keyed by the file it is written to under grafana/dashboards. */
export function dashboardsFor(names: Names): Readonly<Record<string, DashboardSpec>> {
  const n = dashboardNames(names);
  const specs: Record<string, DashboardSpec> = {
    'overview.json': overview(n),
    'llm-and-cost.json': llmAndCost(n),
    'voice-pipeline.json': voicePipeline(n),
    'database-and-cache.json': databaseAndCache(n),
    'runtime.json': runtime(),
  };
  return Object.fromEntries(Object.entries(specs).map(([file, spec]) => [file, forNamespace(spec, names.ns)]));
}

/** The shipped dashboards (namespace `agentmeter`). */
export const DASHBOARDS: Readonly<Record<string, DashboardSpec>> = dashboardsFor(namesFor(NAMESPACE));
