import { Counter as PromCounter, Histogram as PromHistogram, Registry } from 'prom-client';
import { fmt, nsPerOp, ratio, table } from '../../../scripts/bench-kit.ts';
import { createAgentMeter } from '../src/index.ts';
import { createTestReader } from '../src/testing.ts';

const ATTRS = { provider: 'openai', model: 'gpt-4o-mini', token_type: 'input' } as const;
const LATENCY_ATTRS = { provider: 'openai', model: 'gpt-4o-mini', operation: 'chat' } as const;

/** Record path: agentmeter's bound and unbound handles against raw sdk-metrics and prom-client. */
export async function run(): Promise<string> {
  const meter = createAgentMeter({ exemplars: false });
  const tracedMeter = createAgentMeter();
  // Raw OTel needs a reader attached, or its SDK records nothing.
  const otel = createTestReader().provider.getMeter('bench');
  const registry = new Registry();

  const boundCounter = meter.instruments.llmTokens.bind(ATTRS);
  const boundTraced = tracedMeter.instruments.llmTokens.bind(ATTRS);
  const otelCounter = otel.createCounter('tokens');
  const promCounter = new PromCounter({
    name: 'tokens_total',
    help: 'h',
    labelNames: ['provider', 'model', 'token_type'],
    registers: [registry],
  });
  const promBound = promCounter.labels(ATTRS);

  const boundHistogram = meter.instruments.llmLatency.bind(LATENCY_ATTRS);
  const otelHistogram = otel.createHistogram('latency', {
    advice: { explicitBucketBoundaries: [...(meter.instruments.llmLatency.spec.buckets ?? [])] },
  });
  const promHistogram = new PromHistogram({
    name: 'latency_seconds',
    help: 'h',
    labelNames: ['provider', 'model', 'operation'],
    registers: [registry],
    buckets: [...(meter.instruments.llmLatency.spec.buckets ?? [])],
  });
  const promHistogramBound = promHistogram.labels(LATENCY_ATTRS);

  const counters = {
    'agentmeter bound handle': nsPerOp(() => boundCounter.add(1)),
    'agentmeter bound, exemplars on (no span)': nsPerOp(() => boundTraced.add(1)),
    'agentmeter add(value, attributes)': nsPerOp(() => meter.instruments.llmTokens.add(1, ATTRS)),
    'raw OTel counter.add(value, attributes)': nsPerOp(() => otelCounter.add(1, ATTRS), 50_000),
    'prom-client labels(...).inc()': nsPerOp(() => promCounter.labels(ATTRS).inc(), 100_000),
    'prom-client bound child .inc()': nsPerOp(() => promBound.inc()),
  };
  const values = Array.from({ length: 1024 }, (_, i) => (i % 97) / 10);
  const histograms = {
    'agentmeter bound handle': nsPerOp((i) => boundHistogram.record(values[i & 1023]!)),
    'agentmeter record(value, attributes)': nsPerOp((i) =>
      meter.instruments.llmLatency.record(values[i & 1023]!, LATENCY_ATTRS),
    ),
    'raw OTel histogram.record(value, attributes)': nsPerOp(
      (i) => otelHistogram.record(values[i & 1023]!, LATENCY_ATTRS),
      50_000,
    ),
    'prom-client bound child .observe()': nsPerOp((i) => promHistogramBound.observe(values[i & 1023]!)),
  };
  const helper = nsPerOp(
    () => meter.trackLlmCall(LATENCY_ATTRS, (call) => call.usage({ input: 10, output: 20 })),
    50_000,
  );

  const base = counters['prom-client bound child .inc()'];
  const otelBase = counters['raw OTel counter.add(value, attributes)'];
  const hBase = histograms['prom-client bound child .observe()'];
  const hOtel = histograms['raw OTel histogram.record(value, attributes)'];
  return [
    '### Record path (core)',
    '',
    'Counter with three attributes (median of 7 rounds; lower is better):',
    '',
    table(
      ['path', 'ns/op', 'vs raw OTel', 'vs prom-client bound'],
      Object.entries(counters).map(([name, ns]) => [name, fmt(ns, 1), ratio(ns, otelBase), ratio(ns, base)]),
    ),
    '',
    'Histogram (14 buckets) with three attributes:',
    '',
    table(
      ['path', 'ns/op', 'vs raw OTel', 'vs prom-client bound'],
      Object.entries(histograms).map(([name, ns]) => [name, fmt(ns, 1), ratio(ns, hOtel), ratio(ns, hBase)]),
    ),
    '',
    `A whole \`trackLlmCall\` (latency, request count, two token counters, attribute resolution each time): ${fmt(helper, 0)} ns per call.`,
    '',
    'Memory per series: see the next section.',
    '',
  ].join('\n');
}
