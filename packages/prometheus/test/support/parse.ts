/**
 * A strict reader of Prometheus text 0.0.4 and OpenMetrics 1.0 for the tests: it throws on
 * anything a Prometheus parser would reject (bad escapes, bad names, duplicate labels, samples
 * before their TYPE, histograms whose +Inf bucket disagrees with _count, missing # EOF).
 */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly exemplar?: { readonly labels: Record<string, string>; readonly value: number; readonly timestamp?: number };
}
export interface Parsed {
  readonly samples: Sample[];
  readonly types: Map<string, string>;
  readonly help: Map<string, string>;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VALUE = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;
const TEXT_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const OPENMETRICS_TYPES = new Set([
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'stateset',
  'info',
  'summary',
  'unknown',
]);
const SUFFIXES = ['_total', '_bucket', '_sum', '_count', '_created', '_info', '_gsum', '_gcount'];

function number(text: string, where: string): number {
  if (!VALUE.test(text)) throw new Error(`${where}: bad number ${JSON.stringify(text)}`);
  return text.endsWith('Inf') ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text);
}

/** Reads `{a="x",b="y"}` starting at `start` (the `{`); returns the labels and the index after `}`. */
function readLabels(line: string, start: number, where: string): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (line[i] !== '}') {
    const eq = line.indexOf('=', i);
    if (eq === -1) throw new Error(`${where}: label without =`);
    const name = line.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`${where}: bad label name ${JSON.stringify(name)}`);
    if (Object.hasOwn(labels, name)) throw new Error(`${where}: duplicate label ${name}`);
    if (line[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let value = '';
    let j = eq + 2;
    for (;;) {
      const char = line[j];
      if (char === undefined) throw new Error(`${where}: unterminated label value`);
      if (char === '"') break;
      if (char === '\\') {
        const next = line[j + 1];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`${where}: bad escape \\${next}`);
        j += 2;
      } else {
        value += char;
        j++;
      }
    }
    labels[name] = value;
    i = j + 1;
    if (line[i] === ',') {
      i++;
      if (line[i] === '}') throw new Error(`${where}: trailing comma`);
    } else if (line[i] !== '}') {
      throw new Error(`${where}: expected , or } after a label`);
    }
  }
  return [labels, i + 1];
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of SUFFIXES) {
    if (name.endsWith(suffix) && types.has(name.slice(0, -suffix.length))) return name.slice(0, -suffix.length);
  }
  return undefined;
}

function checkHistograms(samples: readonly Sample[], types: Map<string, string>): void {
  // Prometheus does not fix the order of _count and the buckets within a series, so compare at the end.
  const infinite = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const sample of samples) {
    const family = familyOf(sample.name, types);
    if (family === undefined || types.get(family) !== 'histogram') continue;
    const { le, ...rest } = sample.labels;
    const key = `${family}${JSON.stringify(rest)}`;
    if (sample.name.endsWith('_bucket') && le === '+Inf') infinite.set(key, sample.value);
    if (sample.name.endsWith('_count')) counts.set(key, sample.value);
  }
  for (const [key, count] of counts) {
    if (infinite.get(key) !== count)
      throw new Error(`${key}: +Inf bucket ${infinite.get(key)} differs from _count ${count}`);
  }
}

export function parseExposition(input: string | Uint8Array, format: 'text' | 'openmetrics'): Parsed {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  const openMetrics = format === 'openmetrics';
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  if (!text.endsWith('\n') && text !== '') throw new Error('exposition does not end with a newline');
  const lines = text.split('\n').slice(0, -1);
  if (openMetrics && lines.at(-1) !== '# EOF') throw new Error('OpenMetrics exposition does not end with # EOF');
  for (const [index, line] of lines.entries()) {
    const where = `line ${index + 1}`;
    if (line === '# EOF') {
      if (!openMetrics || index !== lines.length - 1) throw new Error(`${where}: misplaced # EOF`);
      continue;
    }
    if (line.startsWith('#')) {
      const match = new RegExp(`^# (HELP|TYPE|UNIT) (${NAME})(?: (.*))?$`).exec(line);
      if (match === null) {
        if (openMetrics) throw new Error(`${where}: bad comment ${JSON.stringify(line.slice(0, 80))}`);
        continue;
      }
      const [, kind, name = '', rest = ''] = match;
      if (kind === 'TYPE') {
        if (!(openMetrics ? OPENMETRICS_TYPES : TEXT_TYPES).has(rest)) throw new Error(`${where}: bad type ${rest}`);
        if (types.has(name)) throw new Error(`${where}: second TYPE for ${name}`);
        types.set(name, rest);
      } else if (kind === 'HELP') {
        if (/\\[^\\n"]/.test(rest.replace(/\\\\/g, '')) || (!openMetrics && /\\"/.test(rest.replace(/\\\\/g, '')))) {
          throw new Error(`${where}: bad escape in HELP`);
        }
        help.set(name, rest);
      }
      continue;
    }
    const nameMatch = new RegExp(`^${NAME}`).exec(line);
    if (nameMatch === null) throw new Error(`${where}: bad sample ${JSON.stringify(line.slice(0, 80))}`);
    const name = nameMatch[0];
    let labels: Record<string, string> = {};
    let i = name.length;
    if (line[i] === '{') [labels, i] = readLabels(line, i, where);
    if (line[i] !== ' ') throw new Error(`${where}: expected a space before the value`);
    const rest = line.slice(i + 1);
    const [sampleText, exemplarText] = openMetrics ? rest.split(' # ', 2) : [rest];
    const [valueText = '', timestamp, extra] = sampleText!.split(' ');
    if (extra !== undefined || (timestamp !== undefined && !/^-?\d+(\.\d+)?$/.test(timestamp)))
      throw new Error(`${where}: bad sample tail`);
    const value = number(valueText, where);
    let exemplar: Sample['exemplar'];
    if (exemplarText !== undefined) {
      if (exemplarText[0] !== '{') throw new Error(`${where}: bad exemplar`);
      const [exemplarLabels, end] = readLabels(exemplarText, 0, where);
      const [exemplarValue = '', exemplarTime, more] = exemplarText.slice(end + 1).split(' ');
      if (exemplarText[end] !== ' ' || more !== undefined) throw new Error(`${where}: bad exemplar tail`);
      exemplar = {
        labels: exemplarLabels,
        value: number(exemplarValue, where),
        ...(exemplarTime !== undefined && { timestamp: number(exemplarTime, where) }),
      };
    }
    if (familyOf(name, types) === undefined && types.size > 0 && openMetrics)
      throw new Error(`${where}: ${name} has no TYPE`);
    samples.push({ name, labels, value, ...(exemplar !== undefined && { exemplar }) });
  }
  checkHistograms(samples, types);
  return { samples, types, help };
}

/** The value of the one sample with this name and exactly these labels, scope labels aside unless named (undefined when absent). */
export function valueOf(parsed: Parsed, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).toSorted());
  // Scope labels are compared only when asked for: most tests are about the other labels.
  const scoped = Object.keys(labels).some((key) => key.startsWith('otel_scope_'));
  const own = (sample: Sample): string =>
    JSON.stringify(
      Object.entries(sample.labels)
        .filter(([key]) => scoped || !key.startsWith('otel_scope_'))
        .toSorted(),
    );
  return parsed.samples.find((sample) => sample.name === name && own(sample) === wanted)?.value;
}
