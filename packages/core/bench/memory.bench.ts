import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Counter as PromCounter, Histogram as PromHistogram, Registry } from 'prom-client';
import { fmt, ratio, table } from '../../../scripts/bench-kit.ts';
import { createAgentMeter } from '../src/index.ts';

const LATENCY = { provider: 'openai', operation: 'chat' } as const;
const TOKENS = { provider: 'openai', token_type: 'input' } as const;

/** A reader that never exports and lets raw OTel keep every series (its default limit is 2,000). */
class UnlimitedReader extends MetricReader {
  constructor() {
    super({ cardinalitySelector: () => 1_000_000 });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Heap plus ArrayBuffer bytes kept by what `build` returns (typed arrays live outside the heap). */
function bytesKept(build: () => unknown): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const kept = build();
  gc?.();
  const after = process.memoryUsage();
  if (kept === Symbol.for('never')) console.log(kept);
  return after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
}

type Build = (models: readonly string[]) => unknown;

function builders(buckets: readonly number[]): Record<'histogram' | 'counter', Record<string, Build>> {
  return {
    histogram: {
      agentmeter: (models) => {
        const m = createAgentMeter({ seriesLimit: models.length, exemplars: false });
        for (const model of models) m.instruments.llmLatency.record(0.1, { ...LATENCY, model });
        return m;
      },
      'raw OTel': (models) => {
        const provider = new MeterProvider({ readers: [new UnlimitedReader()] });
        const h = provider.getMeter('m').createHistogram('h', { advice: { explicitBucketBoundaries: [...buckets] } });
        for (const model of models) h.record(0.1, { ...LATENCY, model });
        return provider;
      },
      'prom-client': (models) => {
        const h = new PromHistogram({
          name: 'h',
          help: 'h',
          labelNames: ['provider', 'model', 'operation'],
          registers: [new Registry()],
          buckets: [...buckets],
        });
        for (const model of models) h.observe({ ...LATENCY, model }, 0.1);
        return h;
      },
    },
    counter: {
      agentmeter: (models) => {
        const m = createAgentMeter({ seriesLimit: models.length, exemplars: false });
        for (const model of models) m.instruments.llmTokens.add(1, { ...TOKENS, model });
        return m;
      },
      'raw OTel': (models) => {
        const provider = new MeterProvider({ readers: [new UnlimitedReader()] });
        const c = provider.getMeter('m').createCounter('c');
        for (const model of models) c.add(1, { ...TOKENS, model });
        return provider;
      },
      'prom-client': (models) => {
        const c = new PromCounter({
          name: 'c',
          help: 'h',
          labelNames: ['provider', 'model', 'token_type'],
          registers: [new Registry()],
        });
        for (const model of models) c.inc({ ...TOKENS, model });
        return c;
      },
    },
  };
}

/** Bytes per series of agentmeter, raw OpenTelemetry and prom-client, with the same labels and the same buckets. */
export async function run(): Promise<string> {
  const buckets = createAgentMeter().instruments.llmLatency.spec.buckets ?? [];
  const kinds = builders(buckets);
  const rows: string[][] = [];
  for (const series of [10_000, 100_000]) {
    // The label values exist before measuring, so every library is charged for its own storage only.
    const models = Array.from({ length: series }, (_, i) => `model-${i}`);
    for (const [kind, libraries] of Object.entries(kinds)) {
      const measured = Object.entries(libraries).map(
        ([name, build]) => [name, bytesKept(() => build(models)) / series] as const,
      );
      const prom = measured.find(([name]) => name === 'prom-client')![1];
      for (const [name, bytes] of measured) rows.push([fmt(series), kind, name, fmt(bytes), ratio(bytes, prom)]);
    }
  }
  return [
    '### Memory per series (core)',
    '',
    `Heap and ArrayBuffer bytes kept per series, three labels (one varying), histograms with the same ${buckets.length} bucket ` +
      "boundaries in every library (prom-client's per-series cost depends strongly on the bucket count), exemplars off:",
    '',
    table(['series', 'kind', 'library', 'bytes/series', 'vs prom-client'], rows),
  ].join('\n');
}
