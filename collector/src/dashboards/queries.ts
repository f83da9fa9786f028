import type { Names } from '../metric-names.ts';
import type { QuerySpec } from './model.ts';

/** The service filter every query carries (the dashboards' `job` variable). */
const JOB = 'job=~"$job"';

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

/** The namespace's names, plus p50, p95 and p99 from the recording rules of a histogram. */
export interface DashboardNames extends Names {
  readonly ruleQuantiles: (base: string, legend: string) => QuerySpec[];
}

export function dashboardNames(names: Names): DashboardNames {
  return {
    ...names,
    ruleQuantiles: (base, legend) =>
      ['p50', 'p95', 'p99'].map((p) => ({ expr: sel(names.rule(base, `${p}_5m`)), legend: `${p} ${legend}`.trim() })),
  };
}

/** p50, p90, p95 and p99 computed in the query (for histograms without recording rules). */
export function quantiles(
  histogram: string,
  by: string,
  legend: string,
  levels: readonly number[] = [0.5, 0.95, 0.99],
): QuerySpec[] {
  return levels.map((q) => ({ expr: quantile(q, histogram, by), legend: `p${Math.round(q * 100)} ${legend}`.trim() }));
}
