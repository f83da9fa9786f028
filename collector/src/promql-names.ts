/**
 * Extracts the metric names a PromQL expression selects. A small lexer rather than a full parser:
 * it drops strings, label matchers, grouping lists and range selectors, then keeps identifiers
 * that are not functions, keywords or Grafana variables. Every query it reads is also run
 * against a real Prometheus in the end-to-end tests, which catches anything it would miss.
 */
const KEYWORDS: ReadonlySet<string> = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
  'Inf',
  'NaN',
  'atan2',
]);

export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+\S+/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = match[0];
    const before = stripped[match.index - 1] ?? '';
    // Part of a number such as 1e3 or 0x1F.
    if (/[0-9.]/.test(before)) continue;
    const rest = stripped.slice(match.index + word.length);
    if (/^\s*\(/.test(rest) || KEYWORDS.has(word)) continue;
    names.add(word);
  }
  return [...names];
}
