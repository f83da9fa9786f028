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

export type Matcher = { readonly label: string; readonly op: '=' | '!=' | '=~' | '!~'; readonly value: string };
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
