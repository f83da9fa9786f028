import { AgentMeterConfigError, CATALOG, CATALOG_KEYS, EXTERNAL_METRICS, prometheusName } from '@agentmeter/core';
import type { CatalogKey } from '@agentmeter/core';

/** The namespace the shipped rules and dashboards are written for (the SDK's default). */
export const NAMESPACE = 'agentmeter';

/** The Prometheus name a catalog instrument reaches Prometheus under, scraped or remote-written. */
export function metricName(key: CatalogKey, namespace: string = NAMESPACE): string {
  const spec = CATALOG[key];
  return prometheusName(`${namespace}.${spec.name}`, spec.unit, spec.kind);
}

/** The names that change with the namespace: catalog metrics and recording rules. */
export interface Names {
  readonly ns: string;
  /** A catalog metric's Prometheus name (`agentmeter_llm_tokens_total`). */
  readonly m: (key: CatalogKey) => string;
  /** A recording rule `<ns>:<stem>:<suffix>`; a stem that is a metric name loses its namespace. */
  readonly rule: (base: string, suffix: string) => string;
  /** A counter's name without `_total`, the stem of its recording rules. */
  readonly stem: (key: CatalogKey) => string;
}

/** The names of the rules and dashboards for a namespace, checked as `start({ namespace })` checks it. */
export function namesFor(namespace: string): Names {
  if (!/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/.test(namespace)) {
    throw new AgentMeterConfigError(
      `namespace must start with a letter and hold only letters, digits and underscores (at most 63), like "agentmeter" or "digital_actors"; got ${JSON.stringify(namespace)}`,
    );
  }
  const m = (key: CatalogKey): string => metricName(key, namespace);
  return {
    ns: namespace,
    m,
    rule: (base, suffix) =>
      `${namespace}:${base.startsWith(`${namespace}_`) ? base.slice(namespace.length + 1) : base}:${suffix}`,
    stem: (key) => m(key).replace(/_total$/, ''),
  };
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
