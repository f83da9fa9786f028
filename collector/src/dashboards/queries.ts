import type { CatalogKey } from '@agentmeter/core';
import { metricName, NAMESPACE } from '../metric-names.ts';
import type { QuerySpec } from './model.ts';

/** The service filter every query carries (the dashboards' `job` variable). */
const JOB = 'job=~"$job"';

/** A catalog metric's Prometheus name. */
export const m: (key: CatalogKey) => string = (key) => metricName(key);

/** A selector with the job filter and optional extra matchers. */
export function sel(name: string, matchers?: string): string {
  return `${name}{${matchers === undefined ? JOB : `${JOB}, ${matchers}`}}`;
}

/** Per-second rate summed by the given labels. */
export function rate(name: string, by: string, matchers?: string): string {
  const grouping = by === '' ? '' : ` by (${by})`;
  return `sum${grouping} (rate(${sel(name, matchers)}[$__rate_interval]))`;
}

/** A quantile of a histogram over the panel's rate interval. */
export function quantile(q: number, histogram: string, by: string): string {
  const grouping = by === '' ? 'le' : `${by}, le`;
  return `histogram_quantile(${q}, sum by (${grouping}) (rate(${sel(`${histogram}_bucket`)}[$__rate_interval])))`;
}

/** A recording rule `agentmeter:<stem>:<suffix>`; the stem is a metric name, its namespace dropped. */
export function rule(base: string, suffix: string): string {
  const bare = base.startsWith(`${NAMESPACE}_`) ? base.slice(NAMESPACE.length + 1) : base;
  return `${NAMESPACE}:${bare}:${suffix}`;
}

/** p50, p95 and p99 from the recording rules of a histogram, one legend per label set. */
export function ruleQuantiles(base: string, legend: string): QuerySpec[] {
  return ['p50', 'p95', 'p99'].map((p) => ({ expr: sel(rule(base, `${p}_5m`)), legend: `${p} ${legend}`.trim() }));
}

/** p50, p90, p95 and p99 computed in the query (for histograms without recording rules). */
export function quantiles(histogram: string, by: string, legend: string, levels: readonly number[] = [0.5, 0.95, 0.99]): QuerySpec[] {
  return levels.map((q) => ({ expr: quantile(q, histogram, by), legend: `p${Math.round(q * 100)} ${legend}`.trim() }));
}

/** A counter's name without `_total`, the stem of its recording rules (`agentmeter:llm_tokens:rate5m`). */
export function stem(key: CatalogKey): string {
  return m(key).replace(/_total$/, '');
}
