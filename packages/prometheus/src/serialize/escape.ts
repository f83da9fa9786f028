import type { AttributeValue as OtelAttributeValue } from '@opentelemetry/api';

const LABEL_SPECIAL = /[\\"\n]/;
const LABEL_SPECIAL_ALL = /[\\"\n]/g;
const HELP_TEXT_SPECIAL = /[\\\n]/g;
const HELP_OPENMETRICS_SPECIAL = /[\\"\n]/g;

function escapeChar(char: string): string {
  return char === '\n' ? '\\n' : `\\${char}`;
}

/**
 * Escapes a label value for both formats (backslash, double quote, newline). Lone surrogates are
 * left in place: the UTF-8 encoder turns them into U+FFFD, so the bytes on the wire stay valid.
 */
export function escapeLabelValue(value: string): string {
  return LABEL_SPECIAL.test(value) ? value.replace(LABEL_SPECIAL_ALL, escapeChar) : value;
}

/** HELP text: text 0.0.4 escapes backslash and newline; OpenMetrics also the double quote. */
export function escapeHelp(text: string, openMetrics: boolean): string {
  return text.replace(openMetrics ? HELP_OPENMETRICS_SPECIAL : HELP_TEXT_SPECIAL, escapeChar);
}

/** An OpenTelemetry attribute value as a label value (arrays as JSON, as the Collector does). */
export function attributeText(value: OtelAttributeValue | undefined): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

/** A sample value: Go's ParseFloat reads JavaScript's number text, except for the non-finite values. */
export function formatValue(value: number): string {
  if (value - value === 0) return '' + value;
  return value !== value ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
}

/** A bucket bound: OpenMetrics asks for canonical floats (`1.0`), text keeps Go's short form (`1`). */
export function formatBound(bound: number, openMetrics: boolean): string {
  if (bound === Infinity) return '+Inf';
  const text = formatValue(bound);
  return openMetrics && Number.isInteger(bound) && !text.includes('e') ? `${text}.0` : text;
}
