/**
 * The PromQL the live view needs when no Prometheus runs: the shipped dashboards' panel queries
 * and the recording rules they read, evaluated over the demo's own `/metrics` history
 * (live-store.ts). A small subset, parsed here: selectors with matchers and ranges; rate and
 * increase (over the scraped points, without Prometheus' extrapolation to the window's edges);
 * histogram_quantile, clamp_min, clamp_max; sum, avg, min, max, count by/without; + - * / with a
 * scalar or one-to-one on all labels; comparisons as filters; `or`. Anything else is an error
 * naming what is unsupported, never a wrong answer.
 */

export type Labels = Readonly<Record<string, string>>;
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}
export interface RangeSeries {
  readonly labels: Labels;
  readonly points: readonly (readonly [t: number, v: number])[];
}

/** Where selectors read from: instant values at `t`, or the points in (t - range, t]. */
export interface SeriesSource {
  instant(name: string, t: number): readonly Sample[];
  range(name: string, t: number, rangeSeconds: number): readonly RangeSeries[];
}

/** Recording rules by name, each parsed when first used. */
export interface RuleBook {
  get(name: string): Node | undefined;
  has(name: string): boolean;
}

type Matcher = { readonly label: string; readonly op: '=' | '!=' | '=~' | '!~'; readonly value: string };
export type Node =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'selector'; readonly name: string; readonly matchers: readonly Matcher[]; readonly range?: number }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Node[] }
  | {
      readonly kind: 'aggregate';
      readonly op: string;
      readonly by: readonly string[] | undefined;
      readonly without: readonly string[] | undefined;
      readonly arg: Node;
    }
  | { readonly kind: 'binary'; readonly op: string; readonly left: Node; readonly right: Node };

const TOKEN =
  /\s*(?:(\d+[smhd](?![a-zA-Z0-9_]))|(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([a-zA-Z_:][a-zA-Z0-9_:]*)|("(?:[^"\\]|\\.)*")|(=~|!~|!=|==|>=|<=|[-+*/(){}[\],=<>]))/y;
const AGGREGATES = new Set(['sum', 'avg', 'min', 'max', 'count']);
const FUNCTIONS = new Set(['rate', 'increase', 'histogram_quantile', 'clamp_min', 'clamp_max']);
const DURATION = /^(\d+)([smhd])$/;
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (match === null) throw new Error(`live view PromQL: cannot read ${JSON.stringify(text.slice(at, at + 20))}`);
    tokens.push(match[1] ?? match[2] ?? match[3] ?? match[4] ?? match[5]!);
  }
  return tokens;
}

/** Parses one expression of the subset; throws on anything outside it. */
export function parse(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const next = (): string => {
    const token = tokens[i++];
    if (token === undefined) throw new Error(`live view PromQL: unexpected end of ${text}`);
    return token;
  };
  const expect = (token: string): void => {
    const got = next();
    if (got !== token) throw new Error(`live view PromQL: expected ${token}, got ${got} in ${text}`);
  };
  const labelList = (): string[] => {
    expect('(');
    const labels: string[] = [];
    while (peek() !== ')') {
      labels.push(next());
      if (peek() === ',') next();
    }
    expect(')');
    return labels;
  };
  const level = (ops: readonly string[], below: () => Node) => (): Node => {
    let left = below();
    while (ops.includes(peek() ?? '')) {
      const op = next();
      if (['on', 'ignoring', 'bool', 'group_left', 'group_right'].includes(peek() ?? ''))
        throw new Error(`live view PromQL: ${peek()} is not supported (${text})`);
      left = { kind: 'binary', op, left, right: below() };
    }
    return left;
  };
  const primary = (): Node => {
    const token = next();
    if (token === '(') {
      const inner = orLevel();
      expect(')');
      return inner;
    }
    if (token === '-' && /^[\d.]+$/.test(peek() ?? '')) return { kind: 'number', value: -Number(next()) };
    if (/^\d/.test(token)) {
      if (!Number.isFinite(Number(token))) throw new Error(`live view PromQL: unexpected ${token} in ${text}`);
      return { kind: 'number', value: Number(token) };
    }
    if (AGGREGATES.has(token)) {
      let by: string[] | undefined;
      let without: string[] | undefined;
      const modifier = (): void => {
        if (peek() === 'by') {
          next();
          by = labelList();
        } else if (peek() === 'without') {
          next();
          without = labelList();
        }
      };
      modifier();
      expect('(');
      const arg = orLevel();
      expect(')');
      modifier();
      return { kind: 'aggregate', op: token, by, without, arg };
    }
    if (peek() === '(') {
      if (!FUNCTIONS.has(token)) throw new Error(`live view PromQL: function ${token} is not supported (${text})`);
      next();
      const args: Node[] = [];
      while (peek() !== ')') {
        args.push(orLevel());
        if (peek() === ',') next();
      }
      expect(')');
      return { kind: 'call', fn: token, args };
    }
    if (!/^[a-zA-Z_:]/.test(token)) throw new Error(`live view PromQL: unexpected ${token} in ${text}`);
    const matchers: Matcher[] = [];
    if (peek() === '{') {
      next();
      while (peek() !== '}') {
        const label = next();
        const op = next();
        if (op !== '=' && op !== '!=' && op !== '=~' && op !== '!~')
          throw new Error(`live view PromQL: bad matcher ${label}${op} in ${text}`);
        matchers.push({ label, op, value: JSON.parse(next()) as string });
        if (peek() === ',') next();
      }
      expect('}');
    }
    let range: number | undefined;
    if (peek() === '[') {
      next();
      const duration = DURATION.exec(next());
      if (duration === null) throw new Error(`live view PromQL: bad range in ${text}`);
      range = Number(duration[1]) * UNIT_SECONDS[duration[2]!]!;
      expect(']');
    }
    return { kind: 'selector', name: token, matchers, ...(range !== undefined && { range }) };
  };
  const mulLevel = level(['*', '/'], primary);
  const addLevel = level(['+', '-'], mulLevel);
  const cmpLevel = level(['==', '!=', '>', '<', '>=', '<='], addLevel);
  const orLevel = level(['or'], cmpLevel);
  const tree = orLevel();
  if (i !== tokens.length) throw new Error(`live view PromQL: unexpected ${tokens[i]} in ${text}`);
  return tree;
}

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
