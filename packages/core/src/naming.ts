import type { InstrumentKind } from './catalog/types.ts';

/** Units the Collector's Prometheus translation spells out as a name suffix. */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};
const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

function sanitize(text: string): string {
  return text.replace(/[^a-zA-Z0-9_:]/g, '_');
}

function unitSuffixes(unit: string, kind: InstrumentKind): string[] {
  // Annotations in braces ({token}, {USD}) carry no suffix, as in the Collector.
  const bare = unit.replace(/\{[^}]*\}/g, '').trim();
  if (bare === '') return [];
  // Unit "1" becomes `_ratio` on gauges only (the Collector's rule).
  if (bare === '1') return kind === 'gauge' ? ['ratio'] : [];
  const [main = '', per] = bare.split('/', 2);
  const words: string[] = [];
  const mainWord = UNIT_WORDS[main] ?? main;
  if (mainWord !== '') words.push(...tokens(mainWord));
  if (per !== undefined && per !== '') words.push('per', ...tokens(PER_UNIT_WORDS[per] ?? per));
  return words;
}

function tokens(text: string): string[] {
  return text.split(/[^a-zA-Z0-9]+/).filter((token) => token !== '');
}

/**
 * Derives the Prometheus name of an OpenTelemetry metric the way the Collector's
 * prometheusremotewrite exporter does (add_metric_suffixes on): the name is split into tokens on
 * anything but letters and digits and joined with `_`; the unit becomes a suffix (`_seconds`,
 * `_bytes`, `_ratio` for unit-1 gauges) unless the name already holds it; monotonic counters end
 * in `_total`. The exporter, docs/metrics.md, the dashboards and the alert rules all use this.
 */
export function prometheusName(otelName: string, unit: string, kind: InstrumentKind): string {
  let parts = tokens(otelName);
  const suffix = unitSuffixes(unit, kind);
  if (suffix.length > 0 && !endsWith(parts, suffix) && !(suffix.length === 1 && parts.includes(suffix[0]!))) {
    parts.push(...suffix);
  }
  if (kind === 'counter') parts = [...parts.filter((part) => part !== 'total'), 'total'];
  if (kind === 'gauge' && suffix[0] === 'ratio') parts = [...parts.filter((part) => part !== 'ratio'), 'ratio'];
  const name = parts.join('_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

function endsWith(parts: readonly string[], suffix: readonly string[]): boolean {
  if (suffix.length > parts.length) return false;
  return suffix.every((word, i) => parts[parts.length - suffix.length + i] === word);
}

/** Prometheus label name of an attribute key (dots and other characters become `_`). */
export function prometheusLabelName(key: string): string {
  const name = sanitize(key);
  return /^[0-9]/.test(name) ? `key_${name}` : name;
}
