import { getExemplars, type Exemplar } from '@agentmeter/core';
import type { Attributes } from '@opentelemetry/api';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import { escapeHelp, escapeLabelValue, formatBound, formatValue } from './escape.ts';
import type { MetricFamily } from './families.ts';
import { LabelCache } from './labels.ts';

/** `text`: Prometheus text 0.0.4. `openmetrics`: OpenMetrics 1.0.0, with exemplars. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** The `le` parts of one boundaries list: `le="0.5"} ` without and `,le="0.5"} ` with other labels. */
interface BoundParts {
  readonly boundaries: readonly number[];
  readonly bare: readonly string[];
  readonly comma: readonly string[];
}

/**
 * Lines per chunk: V8 builds `+=` strings as ropes, and flattening one rope of a million pieces
 * costs more than the building; short ropes joined once at the end stay cheap.
 */
const CHUNK_LINES = 128;

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function exemplarText(exemplar: Exemplar | undefined): string {
  if (exemplar === undefined || typeof exemplar.traceId !== 'string' || typeof exemplar.spanId !== 'string') return '';
  const time = typeof exemplar.timeMs === 'number' && exemplar.timeMs > 0 ? ` ${exemplar.timeMs / 1000}` : '';
  return ` # {trace_id="${escapeLabelValue(exemplar.traceId)}",span_id="${escapeLabelValue(exemplar.spanId)}"} ${formatValue(exemplar.value)}${time}`;
}

/**
 * Writes metric families as Prometheus text or OpenMetrics by plain string building: label text
 * is cached per attributes object, `le` parts per boundaries list, so a sample costs a few
 * concatenations and one number-to-text conversion.
 */
export class ExpositionWriter {
  readonly labels: LabelCache = new LabelCache();
  #textBounds: BoundParts | undefined;
  #openMetricsBounds: BoundParts | undefined;

  write(families: readonly MetricFamily[], resourceAttributes: Attributes, format: ExpositionFormat): string {
    const openMetrics = format === 'openmetrics';
    const chunks = [this.#targetInfo(resourceAttributes, openMetrics)];
    for (const family of families) {
      if (family.type === 'histogram') this.#histogram(family, openMetrics, chunks);
      else this.#simple(family, openMetrics, chunks);
    }
    if (openMetrics) chunks.push('# EOF\n');
    return chunks.join('');
  }

  #header(name: string, type: string, help: string, openMetrics: boolean): string {
    const helpLine = help === '' ? '' : `# HELP ${name} ${escapeHelp(help, openMetrics)}\n`;
    return `${helpLine}# TYPE ${name} ${type}\n`;
  }

  #targetInfo(attributes: Attributes, openMetrics: boolean): string {
    const labels = this.labels.text(attributes);
    if (labels === '') return '';
    const header = openMetrics
      ? this.#header('target', 'info', 'Target metadata', true)
      : this.#header('target_info', 'gauge', 'Target metadata', false);
    return `${header}target_info{${labels}} 1\n`;
  }

  #simple(family: MetricFamily, openMetrics: boolean, chunks: string[]): void {
    const { name } = family;
    // OpenMetrics names the counter family without `_total` and its sample with it.
    const familyName = openMetrics && family.type === 'counter' && name.endsWith('_total') ? name.slice(0, -6) : name;
    const exemplars = openMetrics && family.type === 'counter';
    let out = this.#header(familyName, family.type, family.help, openMetrics);
    const open = `${name}{`;
    const bare = `${name} `;
    let lines = 0;
    for (const metric of family.metrics) {
      for (const point of metric.dataPoints as DataPoint<number>[]) {
        const labels = this.labels.text(point.attributes);
        out += labels === '' ? bare + formatValue(point.value) : `${open + labels}} ${formatValue(point.value)}`;
        if (exemplars) out += exemplarText(getExemplars(point) as Exemplar | undefined);
        out += '\n';
        if (++lines === CHUNK_LINES) {
          chunks.push(out);
          out = '';
          lines = 0;
        }
      }
    }
    chunks.push(out);
  }

  #histogram(family: MetricFamily, openMetrics: boolean, chunks: string[]): void {
    const { name } = family;
    let out = this.#header(name, 'histogram', family.help, openMetrics);
    const bucketOpen = `${name}_bucket{`;
    const sumName = `${name}_sum`;
    const countName = `${name}_count`;
    let lines = 0;
    for (const metric of family.metrics) {
      for (const point of metric.dataPoints as DataPoint<Histogram>[]) {
        const value = point.value;
        const labels = this.labels.text(point.attributes);
        const bounds = this.#bounds(value.buckets.boundaries, openMetrics);
        const parts = labels === '' ? bounds.bare : bounds.comma;
        const prefix = bucketOpen + labels;
        const counts = value.buckets.counts;
        const exemplars = openMetrics ? getExemplars(point) : undefined;
        lines += parts.length;
        let cumulative = 0;
        for (let i = 0; i < parts.length; i++) {
          cumulative += counts[i] ?? 0;
          out += prefix + parts[i] + cumulative;
          if (exemplars !== undefined && Array.isArray(exemplars)) out += exemplarText(exemplars[i] as Exemplar | undefined);
          out += '\n';
        }
        const tail = labels === '' ? ' ' : `{${labels}} `;
        if (value.sum !== undefined) out += `${sumName + tail + formatValue(value.sum)}\n`;
        out += `${countName + tail + value.count}\n`;
        if (++lines >= CHUNK_LINES) {
          chunks.push(out);
          out = '';
          lines = 0;
        }
      }
    }
    chunks.push(out);
  }

  #bounds(boundaries: readonly number[], openMetrics: boolean): BoundParts {
    const cached = openMetrics ? this.#openMetricsBounds : this.#textBounds;
    if (cached !== undefined && sameNumbers(cached.boundaries, boundaries)) return cached;
    const texts = [...boundaries.map((bound) => formatBound(bound, openMetrics)), '+Inf'];
    const parts: BoundParts = {
      boundaries: boundaries.slice(),
      bare: texts.map((text) => `le="${text}"} `),
      comma: texts.map((text) => `,le="${text}"} `),
    };
    if (openMetrics) this.#openMetricsBounds = parts;
    else this.#textBounds = parts;
    return parts;
  }
}
