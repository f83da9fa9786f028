import { getExemplars, type Exemplar } from '@agentmeter/core/internal';
import type { Attributes } from '@opentelemetry/api';
import type { DataPoint, ExponentialHistogram, Histogram } from '@opentelemetry/sdk-metrics';
import { ByteWriter } from './bytes.ts';
import { escapeHelp, escapeLabelValue, formatBound, formatValue } from './escape.ts';
import { classicHistogram, type InstrumentationScope, type MetricFamily } from './families.ts';
import { LabelCache } from './labels.ts';
import { TimeSlicer } from './slicer.ts';

/**
 * `text`: Prometheus text 0.0.4. `openmetrics`: OpenMetrics 1.0.0, with exemplars. `protobuf`:
 * Prometheus' delimited protobuf, with native histograms (see protobuf-exposition.ts).
 */
export type ExpositionFormat = 'text' | 'openmetrics' | 'protobuf';
export type TextFormat = Exclude<ExpositionFormat, 'protobuf'>;

/** The `le` parts of one boundaries list: `le="0.5"} ` without and `,le="0.5"} ` with other labels. */
interface BoundParts {
  readonly boundaries: readonly number[];
  readonly bare: readonly Buffer[];
  readonly comma: readonly Buffer[];
}

const OPEN_BRACE = 123;
const SPACE = 32;
const CLOSE_SPACE = Buffer.from('} ');
/** Bodies smaller than this are not kept for reuse. */
const SPARE_MIN_BYTES = 64 * 1024;
/** Series written between two looks at the clock. */
const SERIES_PER_CHECK = 32;

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
 * Writes metric families as Prometheus text or OpenMetrics straight into bytes: label sets are
 * encoded once per attributes object, `le` parts once per boundaries list, so a sample costs a
 * few small copies and the digits of its value, and a scrape leaves no garbage strings behind.
 */
export class ExpositionWriter {
  readonly labels: LabelCache = new LabelCache();
  readonly #scopeLabels: boolean;
  readonly #lastSize: Record<TextFormat, number> = { text: 64 * 1024, openmetrics: 64 * 1024 };
  readonly #spares: Record<TextFormat, Buffer[]> = { text: [], openmetrics: [] };
  #textBounds: BoundParts | undefined;
  #openMetricsBounds: BoundParts | undefined;

  /** `scopeLabels`: write `otel_scope_name`, `otel_scope_version` (and the schema URL) on every sample. */
  constructor(options: { readonly scopeLabels: boolean } = { scopeLabels: true }) {
    this.#scopeLabels = options.scopeLabels;
  }

  /**
   * Renders in slices: every few dozen series it looks at the clock and, past the slice budget,
   * yields to the event loop, so no turn of the loop runs longer than a few milliseconds however
   * many series there are. Concurrent renders are safe: each writes its own buffer.
   */
  async write(families: readonly MetricFamily[], resourceAttributes: Attributes, format: TextFormat): Promise<Buffer> {
    const openMetrics = format === 'openmetrics';
    // Start near the last size so a steady registry needs no regrowth.
    const capacity = Math.ceil(this.#lastSize[format] * 1.1);
    const out = new ByteWriter(capacity, this.#takeSpare(format, capacity));
    const slicer = new TimeSlicer();
    this.#targetInfo(out, resourceAttributes, openMetrics);
    for (const family of families) {
      const series =
        family.type === 'histogram'
          ? this.#histogram(out, family, openMetrics)
          : this.#simple(out, family, openMetrics);
      for (const _ of series) if (slicer.due()) await slicer.pause();
    }
    if (openMetrics) out.text('# EOF\n');
    this.#lastSize[format] = out.length;
    return out.result();
  }

  /**
   * Takes back a body this writer rendered once nothing reads it (every response that carried it
   * has closed): the next body of that format is written into the same memory instead of a new
   * buffer of a few megabytes, which would wait for a full GC to be freed. At most two are kept.
   */
  recycle(format: TextFormat, body: Buffer): void {
    const whole = body.buffer;
    if (body.byteOffset !== 0 || whole.byteLength < SPARE_MIN_BYTES) return;
    const spares = this.#spares[format];
    if (spares.length < 2) spares.push(Buffer.from(whole));
  }

  #takeSpare(format: TextFormat, capacity: number): Buffer | undefined {
    const spares = this.#spares[format];
    const index = spares.findIndex((spare) => spare.length >= capacity);
    if (index !== -1) return spares.splice(index, 1)[0];
    spares.length = 0; // too small for this registry now
    return undefined;
  }

  /** Forgets the kept buffers (nothing is kept at rest). */
  dropSpares(): void {
    this.#spares.text.length = 0;
    this.#spares.openmetrics.length = 0;
  }

  #header(out: ByteWriter, name: string, type: string, help: string, openMetrics: boolean): void {
    if (help !== '') out.text(`# HELP ${name} ${escapeHelp(help, openMetrics)}\n`);
    out.text(`# TYPE ${name} ${type}\n`);
  }

  #targetInfo(out: ByteWriter, attributes: Attributes, openMetrics: boolean): void {
    const labels = this.labels.text(attributes);
    if (labels === '') return;
    if (openMetrics) this.#header(out, 'target', 'info', 'Target metadata', true);
    else this.#header(out, 'target_info', 'gauge', 'Target metadata', false);
    out.text(`target_info{${labels}} 1\n`);
  }

  /** Writes the family, yielding every SERIES_PER_CHECK series so the caller can pause. */
  *#simple(out: ByteWriter, family: MetricFamily, openMetrics: boolean): Generator<void> {
    const { name } = family;
    // OpenMetrics names the counter family without `_total` and its sample with it.
    const familyName = openMetrics && family.type === 'counter' && name.endsWith('_total') ? name.slice(0, -6) : name;
    const exemplars = openMetrics && family.type === 'counter';
    this.#header(out, familyName, family.type, family.help, openMetrics);
    const nameBytes = Buffer.from(name);
    let written = 0;
    for (let m = 0; m < family.metrics.length; m++) {
      const scope = family.scopes[m];
      for (const point of family.metrics[m]!.dataPoints as DataPoint<number>[]) {
        if (++written % SERIES_PER_CHECK === 0) yield;
        const labels = this.#labelsOf(scope, point.attributes);
        out.bytes(nameBytes);
        if (labels.length === 0) {
          out.byte(SPACE);
        } else {
          out.byte(OPEN_BRACE);
          out.bytes(labels);
          out.bytes(CLOSE_SPACE);
        }
        out.value(point.value);
        if (exemplars) out.text(exemplarText(getExemplars(point) as Exemplar | undefined));
        out.newline();
      }
    }
  }

  *#histogram(out: ByteWriter, family: MetricFamily, openMetrics: boolean): Generator<void> {
    const { name } = family;
    this.#header(out, name, 'histogram', family.help, openMetrics);
    const bucketOpen = Buffer.from(`${name}_bucket{`);
    const sumName = Buffer.from(`${name}_sum`);
    const countName = Buffer.from(`${name}_count`);
    let written = 0;
    for (let m = 0; m < family.metrics.length; m++) {
      const scope = family.scopes[m];
      for (const point of family.metrics[m]!.dataPoints as DataPoint<Histogram | ExponentialHistogram>[]) {
        if (++written % SERIES_PER_CHECK === 0) yield;
        const value = classicHistogram(point);
        if (value === undefined) continue;
        const labels = this.#labelsOf(scope, point.attributes);
        const bounds = this.#bounds(value.buckets.boundaries, openMetrics);
        const parts = labels.length === 0 ? bounds.bare : bounds.comma;
        const counts = value.buckets.counts;
        const found = openMetrics ? getExemplars(point) : undefined;
        const exemplars = Array.isArray(found) ? (found as readonly (Exemplar | undefined)[]) : undefined;
        let cumulative = 0;
        for (let i = 0; i < parts.length; i++) {
          cumulative += counts[i] ?? 0;
          out.bytes(bucketOpen);
          out.bytes(labels);
          out.bytes(parts[i]!);
          out.integer(cumulative);
          if (exemplars?.[i] !== undefined) out.text(exemplarText(exemplars[i]));
          out.newline();
        }
        if (value.sum !== undefined) {
          this.#seriesName(out, sumName, labels);
          out.value(value.sum);
          out.newline();
        }
        this.#seriesName(out, countName, labels);
        out.integer(value.count);
        out.newline();
      }
    }
  }

  #labelsOf(scope: InstrumentationScope | undefined, attributes: Attributes): Buffer {
    return this.#scopeLabels && scope !== undefined
      ? this.labels.scopedBytes(scope, attributes)
      : this.labels.bytes(attributes);
  }

  /** `name{labels} ` or `name `. */
  #seriesName(out: ByteWriter, name: Buffer, labels: Buffer): void {
    out.bytes(name);
    if (labels.length === 0) {
      out.byte(SPACE);
      return;
    }
    out.byte(OPEN_BRACE);
    out.bytes(labels);
    out.bytes(CLOSE_SPACE);
  }

  #bounds(boundaries: readonly number[], openMetrics: boolean): BoundParts {
    const cached = openMetrics ? this.#openMetricsBounds : this.#textBounds;
    if (cached !== undefined && sameNumbers(cached.boundaries, boundaries)) return cached;
    const texts = [...boundaries.map((bound) => formatBound(bound, openMetrics)), '+Inf'];
    const parts: BoundParts = {
      boundaries: boundaries.slice(),
      bare: texts.map((text) => Buffer.from(`le="${text}"} `)),
      comma: texts.map((text) => Buffer.from(`,le="${text}"} `)),
    };
    if (openMetrics) this.#openMetricsBounds = parts;
    else this.#textBounds = parts;
    return parts;
  }
}
