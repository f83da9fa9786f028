import type { ExpositionFormat } from '../serialize/exposition.ts';

export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
  protobuf: 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited',
};

function paramOf(params: readonly string[], name: string): string | undefined {
  for (const item of params) {
    const [key, value] = item.split('=', 2);
    if (key?.trim().toLowerCase() === name) return value?.trim().replace(/^"|"$/g, '');
  }
  return undefined;
}

const OPENMETRICS_VERSIONS = new Set(['1.0.0', '0.0.1']);

/** A media range's q value: 1 when missing, 0 (not acceptable) when malformed, clamped to [0, 1]. */
function quality(params: readonly string[]): number {
  for (const param of params) {
    const [key, value = ''] = param.split('=', 2);
    if (key?.trim().toLowerCase() === 'q') {
      const q = value.trim() === '' ? Number.NaN : Number(value);
      return Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0;
    }
  }
  return 1;
}

function version(params: readonly string[]): string | undefined {
  return paramOf(params, 'version');
}

/**
 * Picks the exposition format from an Accept header: Prometheus' delimited protobuf when the
 * scraper ranks it first (Prometheus 3 does when it scrapes native histograms), OpenMetrics when the scraper ranks it above
 * plain text (Prometheus asks `application/openmetrics-text;version=1.0.0` first), the text
 * format otherwise. A missing or malformed header never fails the scrape: it gets text.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (typeof accept !== 'string' || accept.length > 4096) return 'text';
  let openMetrics = -1;
  let text = -1;
  let protobuf = -1;
  for (const range of accept.split(',')) {
    const [mediaType = '', ...params] = range.split(';');
    const type = mediaType.trim().toLowerCase();
    const q = quality(params);
    if (type === 'application/openmetrics-text') {
      const wanted = version(params);
      if (wanted === undefined || OPENMETRICS_VERSIONS.has(wanted)) openMetrics = Math.max(openMetrics, q);
    } else if (type === 'application/vnd.google.protobuf') {
      if (
        paramOf(params, 'proto') === 'io.prometheus.client.MetricFamily' &&
        paramOf(params, 'encoding') === 'delimited'
      )
        protobuf = Math.max(protobuf, q);
    } else if (type === 'text/plain' || type === '*/*' || type === 'text/*') {
      text = Math.max(text, q);
    }
  }
  // Protobuf only when asked for by name: it is what carries native histograms to Prometheus 3.
  if (protobuf > 0 && protobuf >= openMetrics && protobuf >= text) return 'protobuf';
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'text';
}

/** Whether the client takes gzip (`Accept-Encoding: gzip`, q above 0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined || acceptEncoding.length > 4096) return false;
  for (const range of acceptEncoding.split(',')) {
    const [coding = '', ...params] = range.split(';');
    const name = coding.trim().toLowerCase();
    if ((name === 'gzip' || name === 'x-gzip') && quality(params) > 0) return true;
  }
  return false;
}
