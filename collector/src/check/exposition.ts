/**
 * A strict reader of the Prometheus text exposition format (0.0.4) and OpenMetrics 1.0 text, enough
 * to tell whether a service's /metrics is valid: every line is a comment or a well-formed sample,
 * each family has one TYPE declared before its samples, and values are numbers.
 */
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\.)*"';
const VALUE = '(?:[-+]?(?:[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf|inf)|NaN)';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(?:${LABEL}(?:,${LABEL})*,?)?\\})? ${VALUE}(?: [-+]?[0-9.]+)?(?: # .*)?$`);
const TYPE = new RegExp(
  `^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped|unknown|info|stateset|gaugehistogram)$`,
);
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created', '_info', '_gsum', '_gcount'];

export interface ExpositionReport {
  readonly families: readonly string[];
  readonly problems: readonly string[];
}

export function readExposition(text: string): ExpositionReport {
  const types = new Map<string, string>();
  const problems: string[] = [];
  const family = (name: string): string | undefined => {
    if (types.has(name)) return name;
    const suffix = SUFFIXES.find((s) => name.endsWith(s) && types.has(name.slice(0, -s.length)));
    return suffix === undefined ? undefined : name.slice(0, -suffix.length);
  };
  text.split('\n').forEach((line, index) => {
    if (line === '' || line === '# EOF') return;
    const type = TYPE.exec(line);
    if (type !== null) {
      if (types.has(type[1]!)) problems.push(`line ${index + 1}: second TYPE for ${type[1]}`);
      types.set(type[1]!, type[2]!);
      return;
    }
    if (line.startsWith('#')) return;
    const sample = SAMPLE.exec(line);
    if (sample === null) {
      problems.push(`line ${index + 1}: not a sample: ${line.slice(0, 120)}`);
      return;
    }
    if (family(sample[1]!) === undefined) problems.push(`line ${index + 1}: ${sample[1]} has no TYPE`);
  });
  return { families: [...types.keys()], problems };
}
