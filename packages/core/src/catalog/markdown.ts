import { GEN_AI_METRICS } from '../genai.ts';
import { prometheusName } from '../naming.ts';
import { EXTERNAL_METRICS, SEED_RECORDING_RULES } from './external.ts';
import { CATALOG, CATALOG_KEYS } from './instruments.ts';
import type { Family } from './types.ts';

const FAMILY_TITLES: Readonly<Record<Family, string>> = {
  requests: 'Requests',
  errors: 'Errors',
  sessions: 'Sessions',
  llm: 'LLM',
  cost: 'Cost',
  tts: 'Text to speech',
  stt: 'Speech to text',
  turns: 'Voice turns',
  websocket: 'WebSocket',
  db: 'Database',
  cache: 'Cache',
  conversation: 'Conversation',
  generation: 'Content generation',
  external_api: 'External APIs',
  health: 'Health checks',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function list(items: readonly string[]): string {
  return items.length === 0 ? '' : items.map((item) => `\`${item}\``).join(', ');
}

/**
 * Renders the metric reference (docs/metrics.md) from the catalog, for a namespace. A test fails
 * when the checked-in file differs from this output.
 */
export function renderMetricsMarkdown(namespace = 'agentmeter'): string {
  const lines = [
    '# Metrics reference',
    '',
    '<!-- Generated from packages/core/src/catalog by `pnpm docs:metrics`. Do not edit by hand. -->',
    '',
    `Every instrument agentmeter records, under the default namespace \`${namespace}\`. The Prometheus name is`,
    'the same whether Prometheus scrapes `/metrics` or the OpenTelemetry Collector remote-writes it: dots',
    "become underscores, the unit becomes a suffix, counters end in `_total`. With `namespace: 'digital_actors'`",
    'the prefix changes accordingly (`digital_actors_requests_total`).',
    '',
    'Attributes are allow-listed per instrument: any other key is dropped (declare extra keys per family with the',
    "meter's `attributes` option). Each instrument holds at most `seriesLimit` series (default 2,000) over its",
    'lifetime; past that, new attribute sets are counted in one series labelled `otel_metric_overflow="true"`.',
    '`error_type` is always one of: `rate_limit`, `timeout`, `auth`, `bad_request`, `server_error`, `connection`,',
    '`cancelled`, `stream_error`, `validation_error`, `other`.',
    '',
    'On `/metrics` every series also carries its instrumentation scope, as the OpenTelemetry Prometheus',
    'compatibility specification asks: `otel_scope_name` (`@agentmeter/core` for the instruments below, the',
    "instrumentation's package for the others) and `otel_scope_version`, plus `otel_scope_schema_url` when the",
    "scope has one. The Collector's remote write and Prometheus' OTLP receiver (with `promote_scope_metadata`)",
    'write the same labels. `scopeLabels: false` on the exporter leaves them out.',
    '',
  ];
  let family: Family | undefined;
  for (const key of CATALOG_KEYS) {
    const spec = CATALOG[key];
    if (spec.family !== family) {
      family = spec.family;
      lines.push(
        `## ${FAMILY_TITLES[family]}`,
        '',
        '| Prometheus name | kind | unit | attributes | description | replaces (seed names) |',
        '| --- | --- | --- | --- | --- | --- |',
      );
    }
    const name = prometheusName(`${namespace}.${spec.name}`, spec.unit, spec.kind);
    lines.push(
      `| \`${name}\` | ${spec.kind} | \`${spec.unit}\` | ${list(spec.attributes)} | ${cell(spec.description)} | ${list(spec.replaces)} |`,
    );
    const next = CATALOG_KEYS[CATALOG_KEYS.indexOf(key) + 1];
    if (next === undefined || CATALOG[next].family !== family) lines.push('');
  }
  lines.push(
    '## Histogram buckets',
    '',
    '| Prometheus name | bucket upper bounds |',
    '| --- | --- |',
    ...CATALOG_KEYS.filter((key) => CATALOG[key].kind === 'histogram').map((key) => {
      const spec = CATALOG[key];
      return `| \`${prometheusName(`${namespace}.${spec.name}`, spec.unit, spec.kind)}\` | ${(spec.buckets ?? []).join(', ')} |`;
    }),
    '',
    '## From OpenTelemetry instrumentations',
    '',
    "These come from OpenTelemetry's own instrumentations, which `@agentmeter/node` sets up, under semantic-convention names.",
    '',
    '| Prometheus name | kind | unit | attributes | description | source | replaces (seed names) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...EXTERNAL_METRICS.map(
      (spec) =>
        `| \`${spec.prometheusName}\` | ${spec.kind} | \`${spec.unit}\` | ${list(spec.attributes)} | ${cell(spec.description)} | ${cell(spec.source)} | ${list(spec.replaces)} |`,
    ),
    '',
    '## OpenTelemetry GenAI client metrics',
    '',
    'The LLM wrappers and speech calls also record the OTel GenAI semantic conventions (on by default,',
    '`genAiMetrics: false` or `AGENTMETER_GENAI_METRICS=false` turns them off). They travel over OTLP; `/metrics`',
    "leaves them out unless the exporter's `genAiMetrics` is set, since the families above carry the same",
    'measurements. `gen_ai.operation.name` is `chat`, `generate_content`, `embeddings`, ..., or `text_to_speech` and',
    '`speech_to_text` for speech calls; `gen_ai.provider.name` follows the conventions (`gcp.gemini`, `gcp.vertex_ai`,',
    '`azure.ai.openai`, ...). The chunk metrics are recorded for streamed calls only.',
    '',
    '| Prometheus name | OTel name | unit | attributes | description | bucket upper bounds |',
    '| --- | --- | --- | --- | --- | --- |',
    ...GEN_AI_METRICS.map(
      (spec) =>
        `| \`${prometheusName(spec.name, spec.unit, 'histogram')}\` | \`${spec.name}\` | \`${spec.unit}\` | ${list(spec.attributes)} | ${cell(spec.description)} | ${spec.buckets.join(', ')} |`,
    ),
    '',
    '## Seed SLI gauges, now recording rules',
    '',
    'SLIs are computed by Prometheus recording rules (collector/prometheus/rules), not in-process gauges.',
    '',
    '| seed metric | recording rule |',
    '| --- | --- |',
    ...Object.entries(SEED_RECORDING_RULES).map(([seed, rule]) => `| \`${seed}\` | \`${rule}\` |`),
    '',
  );
  return lines.join('\n');
}
