import type { PrometheusServer } from './processes.ts';

/**
 * Every agentmeter series of a job as its whole label set (name, scope labels and all), without
 * job and instance, which name the path and the process; `le` as a number, since a scrape by
 * Prometheus 3 normalises it (`1` becomes `1.0`) and remote write keeps the sender's text.
 */
export async function labelSets(prometheus: PrometheusServer, job: string): Promise<string[]> {
  return (await prometheus.query(`{job="${job}", __name__=~"agentmeter_.+"}`))
    .map((sample) =>
      JSON.stringify(
        Object.entries(sample.metric)
          .filter(([key]) => key !== 'job' && key !== 'instance')
          .map(([key, value]) => (key === 'le' ? [key, String(Number(value))] : [key, value]))
          .toSorted(),
      ),
    )
    .toSorted();
}

/** `sum(<metric>)` restricted to one job, for metrics written with or without label matchers. */
export function total(metric: string, job: string): string {
  const selector = metric.includes('{') ? metric.replace('{', `{job="${job}", `) : `${metric}{job="${job}"}`;
  return `sum(${selector})`;
}
