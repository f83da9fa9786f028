import { namesFor } from '../../../collector/src/metric-names.ts';
import { recordingGroups } from '../../../collector/src/rules/recording.ts';
import {
  evaluate,
  labelKey,
  parse,
  type Labels,
  type Node,
  type RangeSeries,
  type RuleBook,
  type Sample,
  type SeriesSource,
} from './live-promql.ts';

/** How far back the store keeps points: the live view's 10 minutes plus the rules' 5-minute windows. */
const KEEP_SECONDS = 16 * 60;
/** Prometheus' lookback: an instant selector takes a series' newest point at most this old. */
const LOOKBACK_SECONDS = 300;

interface StoredSeries {
  readonly labels: Labels;
  readonly points: [t: number, v: number][];
}

/** The index of the first point later than `t` (points are in time order). */
function after(points: readonly (readonly [number, number])[], t: number): number {
  let low = 0;
  let high = points.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (points[middle]![0] <= t) low = middle + 1;
    else high = middle;
  }
  return low;
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/y;

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** One sample line of the Prometheus text format, or undefined for comments and blank lines. */
export function parseSampleLine(
  line: string,
): { name: string; labels: Record<string, string>; value: number } | undefined {
  if (line === '' || line.startsWith('#')) return undefined;
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
  if (name === undefined) return undefined;
  const labels: Record<string, string> = {};
  let rest = line.slice(name.length);
  if (rest.startsWith('{')) {
    let at = 1;
    LABEL.lastIndex = at;
    for (let match = LABEL.exec(rest); match !== null; match = LABEL.exec(rest)) {
      labels[match[1]!] = unescape(match[2]!);
      at = LABEL.lastIndex + (rest[LABEL.lastIndex] === ',' ? 1 : 0);
      LABEL.lastIndex = at;
    }
    if (rest[at] !== '}') return undefined;
    rest = rest.slice(at + 1);
  }
  const text = rest.trim().split(/\s+/)[0] ?? '';
  const value = text === '+Inf' ? Number.POSITIVE_INFINITY : text === '-Inf' ? Number.NEGATIVE_INFINITY : Number(text);
  return Number.isNaN(value) && text !== 'NaN' ? undefined : { name, labels, value };
}

/** The shipped recording rules (namespace agentmeter), each parsed when a query first reads it. */
function ruleBook(): RuleBook {
  const exprs = new Map(
    recordingGroups(namesFor('agentmeter'))
      .flatMap((group) => group.rules)
      .map((rule) => [rule.record, rule.expr] as const),
  );
  const parsed = new Map<string, Node>();
  return {
    has: (name) => exprs.has(name),
    get(name) {
      const expr = exprs.get(name);
      if (expr === undefined) return undefined;
      const tree = parsed.get(name) ?? parse(expr);
      parsed.set(name, tree);
      return tree;
    },
  };
}

/**
 * The demo's own metrics over time, for the live view without Prometheus: the service's
 * `/metrics` scraped every `intervalSeconds` and kept for 16 minutes, with the labels the demo's
 * Prometheus would add (job, instance, environment), queried with the dashboards' PromQL.
 */
export class ScrapeStore implements SeriesSource {
  readonly #byName = new Map<string, Map<string, StoredSeries>>();
  readonly #rules: RuleBook;
  readonly #target: string;
  readonly #extra: Labels;
  #timer: NodeJS.Timeout | undefined;
  #scraping: Promise<void> | undefined;
  /** The time of the newest scrape: answers for steps up to it no longer change, so they are kept. */
  #latest = 0;
  readonly #answers = new Map<string, Map<number, readonly Sample[]>>();

  constructor(metricsUrl: string, extra: Labels = { job: 'agentmeter', environment: 'demo' }) {
    this.#target = metricsUrl;
    this.#extra = { ...extra, instance: new URL(metricsUrl).host };
    this.#rules = ruleBook();
  }

  /** Scrapes now and then every `intervalSeconds` until `stop()`. */
  start(intervalSeconds = 5): Promise<void> {
    this.#timer = setInterval(() => void this.scrape().catch(() => {}), intervalSeconds * 1000);
    this.#timer.unref();
    return this.scrape().catch(() => {});
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One scrape (a scrape still running is shared). */
  scrape(): Promise<void> {
    this.#scraping ??= (async () => {
      const response = await fetch(this.#target, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`scrape of ${this.#target}: HTTP ${response.status}`);
      this.add(await response.text(), Date.now() / 1000);
    })().finally(() => {
      this.#scraping = undefined;
    });
    return this.#scraping;
  }

  /** Adds one scrape's text taken at `t` (Unix seconds), and forgets points older than 16 minutes. */
  add(text: string, t: number): void {
    for (const line of text.split('\n')) {
      const sample = parseSampleLine(line);
      if (sample === undefined) continue;
      const labels = { ...sample.labels, ...this.#extra, __name__: sample.name };
      const family = this.#byName.get(sample.name) ?? new Map<string, StoredSeries>();
      this.#byName.set(sample.name, family);
      const key = labelKey(labels);
      const series: StoredSeries = family.get(key) ?? { labels, points: [] };
      family.set(key, series);
      series.points.push([t, sample.value]);
    }
    this.#latest = Math.max(this.#latest, t);
    for (const answers of this.#answers.values()) {
      for (const at of answers.keys()) if (at < t - KEEP_SECONDS) answers.delete(at);
    }
    for (const family of this.#byName.values()) {
      for (const [key, series] of family) {
        while (series.points.length > 0 && series.points[0]![0] < t - KEEP_SECONDS) series.points.shift();
        if (series.points.length === 0) family.delete(key);
      }
    }
  }

  instant(name: string, t: number): readonly Sample[] {
    const out: Sample[] = [];
    for (const series of this.#byName.get(name)?.values() ?? []) {
      const point = series.points[after(series.points, t) - 1];
      if (point !== undefined && point[0] > t - LOOKBACK_SECONDS) out.push({ labels: series.labels, value: point[1] });
    }
    return out;
  }

  range(name: string, t: number, rangeSeconds: number): readonly RangeSeries[] {
    const out: RangeSeries[] = [];
    for (const series of this.#byName.get(name)?.values() ?? []) {
      const points = series.points.slice(after(series.points, t - rangeSeconds), after(series.points, t));
      if (points.length > 0) out.push({ labels: series.labels, points });
    }
    return out;
  }

  /** A range query, answered in the shape of Prometheus' /api/v1/query_range. */
  queryRange(expr: string, start: number, end: number, step: number): unknown {
    const tree = parse(expr);
    // Kept per query; the page asks the same few dozen, so a bound only guards against misuse.
    if (!this.#answers.has(expr) && this.#answers.size >= 200) this.#answers.clear();
    const answers = this.#answers.get(expr) ?? new Map<number, readonly Sample[]>();
    this.#answers.set(expr, answers);
    const series = new Map<string, { metric: Labels; values: [number, string][] }>();
    const steps = Math.min(Math.floor((end - start) / step), 11_000);
    for (let k = 0; k <= steps; k++) {
      const t = start + k * step;
      let samples = answers.get(t);
      if (samples === undefined) {
        const value = evaluate(tree, t, this, this.#rules);
        samples = typeof value === 'number' ? [{ labels: {}, value }] : value;
        if (t <= this.#latest) answers.set(t, samples);
      }
      for (const sample of samples) {
        const key = labelKey(sample.labels);
        const entry = series.get(key) ?? { metric: sample.labels, values: [] };
        series.set(key, entry);
        entry.values.push([t, String(sample.value)]);
      }
    }
    return { status: 'success', data: { resultType: 'matrix', result: [...series.values()] } };
  }
}
