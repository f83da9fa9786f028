import { CATALOG, CATALOG_KEYS, EXTERNAL_METRICS, prometheusName } from '@agentmeter/core';
import type { CatalogKey } from '@agentmeter/core';

/** The namespace the shipped rules and dashboards are written for (the SDK's default). */
export const NAMESPACE = 'agentmeter';

/** The Prometheus name a catalog instrument reaches Prometheus under, scraped or remote-written. */
export function metricName(key: CatalogKey, namespace: string = NAMESPACE): string {
  const spec = CATALOG[key];
  return prometheusName(`${namespace}.${spec.name}`, spec.unit, spec.kind);
}

/** Every catalog instrument's Prometheus name, in catalog order. */
export function catalogMetricNames(namespace: string = NAMESPACE): readonly string[] {
  return CATALOG_KEYS.map((key) => metricName(key, namespace));
}

/**
 * The series names the SDK can emit: catalog and external metrics, with the `_bucket`, `_sum`
 * and `_count` series of histograms. Queries, rules and dashboards may use only these (and
 * the recording rules defined in collector/prometheus/rules).
 */
export function emittedSeriesNames(namespace: string = NAMESPACE): ReadonlySet<string> {
  const names = new Set<string>();
  const add = (name: string, histogram: boolean): void => {
    if (!histogram) {
      names.add(name);
      return;
    }
    for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  };
  for (const key of CATALOG_KEYS) add(metricName(key, namespace), CATALOG[key].kind === 'histogram');
  for (const metric of EXTERNAL_METRICS) add(metric.prometheusName, metric.kind === 'histogram');
  return names;
}

/** Series Prometheus itself writes for every scrape target. */
export const SCRAPE_SERIES: readonly string[] = ['up'];
