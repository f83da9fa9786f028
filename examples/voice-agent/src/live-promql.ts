/**
 * Evaluates the live view's PromQL subset (parsed in live-promql-parse.ts, which says what the
 * subset holds) over the demo's own `/metrics` history (live-store.ts).
 */
import type { Labels, Matcher, Node, RangeSeries, RuleBook, Sample, SeriesSource } from './live-promql-parse.ts';

export {
  parse,
  type Labels,
  type Node,
  type RangeSeries,
  type RuleBook,
  type Sample,
  type SeriesSource,
} from './live-promql-parse.ts';

/** Labels as a key; `__name__` left out, as operators drop the name. */
export function labelKey(labels: Labels): string {
  return JSON.stringify(
    Object.entries(labels)
      .filter(([name]) => name !== '__name__')
      .toSorted(([a], [b]) => (a < b ? -1 : 1)),
  );
}

function withoutName(labels: Labels): Labels {
  const { __name__: _, ...rest } = labels;
  return rest;
}

function matches(labels: Labels, matchers: readonly Matcher[]): boolean {
  return matchers.every(({ label, op, value }) => {
    const got = labels[label] ?? '';
    if (op === '=') return got === value;
    if (op === '!=') return got !== value;
    const full = new RegExp(`^(?:${value})$`).test(got);
    return op === '=~' ? full : !full;
  });
}

/** A counter's increase over its points, counting a drop as a reset. */
function increase(points: RangeSeries['points']): number | undefined {
  if (points.length < 2) return undefined;
  let total = 0;
  for (let k = 1; k < points.length; k++) {
    const [, previous] = points[k - 1]!;
    const [, value] = points[k]!;
    total += value >= previous ? value - previous : value;
  }
  return total;
}

function quantile(q: number, buckets: readonly (readonly [le: number, count: number])[]): number {
  const sorted = buckets.toSorted(([a], [b]) => a - b);
  const total = sorted.at(-1)?.[0] === Number.POSITIVE_INFINITY ? sorted.at(-1)![1] : Number.NaN;
  if (!(total > 0) || q < 0 || q > 1) return Number.NaN;
  const rank = q * total;
  for (let k = 0; k < sorted.length; k++) {
    const [upper, cumulative] = sorted[k]!;
    if (cumulative < rank) continue;
    if (upper === Number.POSITIVE_INFINITY) return sorted[k - 1]?.[0] ?? Number.NaN;
    const [lower, below] = k === 0 ? [Math.min(0, upper), 0] : sorted[k - 1]!;
    return cumulative === below ? upper : lower + (upper - lower) * ((rank - below) / (cumulative - below));
  }
  return Number.NaN;
}

function aggregate(op: string, values: readonly number[]): number {
  if (op === 'sum') return values.reduce((a, b) => a + b, 0);
  if (op === 'avg') return values.reduce((a, b) => a + b, 0) / values.length;
  if (op === 'min') return Math.min(...values);
  if (op === 'max') return Math.max(...values);
  return values.length;
}

const ARITHMETIC: Readonly<Record<string, (a: number, b: number) => number>> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
};
const COMPARE: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '>': (a, b) => a > b,
  '<': (a, b) => a < b,
  '>=': (a, b) => a >= b,
  '<=': (a, b) => a <= b,
};

type Value = number | readonly Sample[];

/** Evaluates a parsed expression at `t` (Unix seconds); `rules` maps a recording rule's name to its expression. */
export function evaluate(node: Node, t: number, source: SeriesSource, rules: RuleBook): Value {
  const vector = (value: Value): readonly Sample[] => {
    if (typeof value === 'number') throw new Error('live view PromQL: expected a vector, got a scalar');
    return value;
  };
  const ev = (inner: Node): Value => evaluate(inner, t, source, rules);
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'selector': {
      if (node.range !== undefined)
        throw new Error(`live view PromQL: a range selector (${node.name}) outside rate or increase`);
      const rule = rules.get(node.name);
      const found =
        rule === undefined
          ? source.instant(node.name, t)
          : vector(evaluate(rule, t, source, rules)).map((s) => ({
              labels: { ...s.labels, __name__: node.name },
              value: s.value,
            }));
      return found.filter((s) => matches(s.labels, node.matchers));
    }
    case 'aggregate': {
      const groups = new Map<string, { labels: Labels; values: number[] }>();
      for (const sample of vector(ev(node.arg))) {
        const entries = Object.entries(sample.labels).filter(
          ([name]) =>
            name !== '__name__' &&
            (node.by === undefined || node.by.includes(name)) &&
            (node.without === undefined || !node.without.includes(name)),
        );
        const labels = Object.fromEntries(node.by === undefined && node.without === undefined ? [] : entries);
        const key = labelKey(labels);
        const group = groups.get(key) ?? { labels, values: [] };
        group.values.push(sample.value);
        groups.set(key, group);
      }
      return [...groups.values()].map((g) => ({ labels: g.labels, value: aggregate(node.op, g.values) }));
    }
    case 'call':
      return call(node, t, source, rules, ev, vector);
    case 'binary':
      return binary(node.op, ev(node.left), ev(node.right), vector);
  }
}

function call(
  node: Extract<Node, { kind: 'call' }>,
  t: number,
  source: SeriesSource,
  rules: RuleBook,
  ev: (n: Node) => Value,
  vector: (v: Value) => readonly Sample[],
): Value {
  const [first, second] = node.args;
  if (node.fn === 'rate' || node.fn === 'increase') {
    if (first?.kind !== 'selector' || first.range === undefined || rules.has(first.name))
      throw new Error(`live view PromQL: ${node.fn} takes a range selector of a scraped series`);
    const out: Sample[] = [];
    for (const series of source.range(first.name, t, first.range)) {
      if (!matches(series.labels, first.matchers)) continue;
      const grown = increase(series.points);
      if (grown === undefined) continue;
      const seconds = series.points.at(-1)![0] - series.points[0]![0];
      out.push({ labels: withoutName(series.labels), value: node.fn === 'rate' ? grown / seconds : grown });
    }
    return out;
  }
  if (node.fn === 'histogram_quantile') {
    const q = ev(first!);
    if (typeof q !== 'number') throw new Error('live view PromQL: histogram_quantile takes a number first');
    const groups = new Map<string, { labels: Labels; buckets: [number, number][] }>();
    for (const sample of vector(ev(second!))) {
      const le = sample.labels['le'];
      if (le === undefined) continue;
      const { le: _, ...rest } = withoutName(sample.labels);
      const key = labelKey(rest);
      const group = groups.get(key) ?? { labels: rest, buckets: [] };
      group.buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), sample.value]);
      groups.set(key, group);
    }
    return [...groups.values()].map((g) => ({ labels: g.labels, value: quantile(q, g.buckets) }));
  }
  const bound = ev(second!);
  if (typeof bound !== 'number') throw new Error(`live view PromQL: ${node.fn} takes a number second`);
  const clamp = node.fn === 'clamp_min' ? (v: number) => Math.max(v, bound) : (v: number) => Math.min(v, bound);
  return vector(ev(first!)).map((s) => ({ labels: withoutName(s.labels), value: clamp(s.value) }));
}

function binary(op: string, left: Value, right: Value, vector: (v: Value) => readonly Sample[]): Value {
  if (op === 'or') {
    const seen = new Set(vector(left).map((s) => labelKey(s.labels)));
    return [...vector(left), ...vector(right).filter((s) => !seen.has(labelKey(s.labels)))];
  }
  const arithmetic = ARITHMETIC[op];
  const compare = COMPARE[op];
  if (typeof left === 'number' && typeof right === 'number') {
    if (arithmetic !== undefined) return arithmetic(left, right);
    throw new Error(`live view PromQL: comparison of two numbers needs bool (unsupported)`);
  }
  const apply = (a: Sample, b: number, flipped: boolean): Sample | undefined => {
    const [x, y] = flipped ? [b, a.value] : [a.value, b];
    if (arithmetic !== undefined) return { labels: withoutName(a.labels), value: arithmetic(x, y) };
    return compare!(x, y) ? a : undefined;
  };
  if (typeof right === 'number') return vector(left).flatMap((s) => apply(s, right, false) ?? []);
  if (typeof left === 'number') return vector(right).flatMap((s) => apply(s, left, true) ?? []);
  const byKey = new Map(right.map((s) => [labelKey(s.labels), s.value]));
  return left.flatMap((s) => {
    const other = byKey.get(labelKey(s.labels));
    return other === undefined ? [] : (apply(s, other, false) ?? []);
  });
}
