import { createAgentMeter, PROVIDER_SECONDS } from '@agentmeter/core';
import { PrometheusExporter as OtelPrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Counter, Histogram, Registry } from 'prom-client';
import { PrometheusExporter } from '../src/index.ts';

/**
 * Scrape cost of one registry holding N series of one kind, through three exporters fed the
 * same data: agentmeter's (reading agentmeter's own producer, and reading the OTel SDK like
 * OTel's exporter does), OTel's PrometheusExporter, and prom-client. A scrape is collection
 * plus serialization into the text format, and the UTF-8 bytes a response would carry.
 */
type Kind = 'counter' | 'histogram';
interface Row {
  readonly series: number;
  readonly kind: Kind;
  readonly exporter: string;
  readonly ms: number;
  readonly cpuMs: number;
  readonly bytes: number;
  readonly heapMb: number;
}

const SIZES = (process.env['AGENTMETER_BENCH_SCRAPE_SIZES'] ?? '1000,10000,100000').split(',').map(Number);
const LABELS = ['provider', 'model', 'operation', 'route'] as const;
const BOUNDS = [...PROVIDER_SECONDS];

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function attributesOf(i: number): Record<(typeof LABELS)[number], string> {
  return { provider: i % 2 === 0 ? 'openai' : 'anthropic', model: `model-${i % 50}`, operation: 'chat', route: `/route/${i}` };
}

interface Measured {
  readonly ms: number;
  readonly cpuMs: number;
  readonly bytes: number;
  readonly heapMb: number;
}

/** One scrape: wall and CPU time (CPU time is steadier on a shared machine), bytes and heap growth. */
async function measureOnce(scrape: () => Promise<Uint8Array>): Promise<Measured> {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const bytes = (await scrape()).byteLength;
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes, heapMb: (process.memoryUsage().heapUsed - heapBefore) / 1048576 };
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs the exporters round-robin (so load from elsewhere hits them alike) and keeps medians. */
async function measure(scrapes: readonly (readonly [string, () => Promise<Uint8Array>])[], runs: number): Promise<(Measured & { exporter: string })[]> {
  if (runs > 1) for (const [, scrape] of scrapes) await scrape();
  const samples = scrapes.map((): Measured[] => []);
  for (let run = 0; run < runs; run++) {
    for (const [i, [, scrape]] of scrapes.entries()) samples[i]!.push(await measureOnce(scrape));
  }
  return scrapes.map(([exporter], i) => {
    const measured = samples[i]!;
    return {
      exporter, ms: median(measured.map((m) => m.ms)), cpuMs: median(measured.map((m) => m.cpuMs)),
      bytes: measured[0]!.bytes, heapMb: Math.max(...measured.map((m) => m.heapMb)),
    };
  });
}

async function scenario(series: number, kind: Kind): Promise<Row[]> {
  const runs = series >= 100_000 ? 1 : series >= 10_000 ? 3 : 7;
  const meter = createAgentMeter({ seriesLimit: series + 10, attributes: { llm: ['route'] } });
  const fromCore = new PrometheusExporter({ metricProducers: [meter.metricProducer!], env: {} });
  const otel = new OtelPrometheusExporter({ preventServerStart: true });
  const fromSdk = new PrometheusExporter({ env: {} });
  // OTel's exporter takes no cardinality option; a view lifts the SDK's default limit of 2000 series.
  const provider = new MeterProvider({ readers: [otel, fromSdk], views: [{ instrumentName: '*', aggregationCardinalityLimit: series + 10 }] });
  const sdkMeter = provider.getMeter('bench');
  const registry = new Registry();
  if (kind === 'counter') {
    const sdkCounter = sdkMeter.createCounter('agentmeter.llm.requests', { unit: '{request}' });
    const promCounter = new Counter({ name: 'agentmeter_llm_requests_total', help: 'LLM calls.', labelNames: LABELS, registers: [registry] });
    for (let i = 0; i < series; i++) {
      const attributes = attributesOf(i);
      meter.instruments.llmRequests.add(i + 1, attributes);
      sdkCounter.add(i + 1, attributes);
      promCounter.inc(attributes, i + 1);
    }
  } else {
    const sdkHistogram = sdkMeter.createHistogram('agentmeter.llm.latency', { unit: 's', advice: { explicitBucketBoundaries: BOUNDS } });
    const promHistogram = new Histogram({ name: 'agentmeter_llm_latency_seconds', help: 'LLM latency.', labelNames: LABELS, buckets: BOUNDS, registers: [registry] });
    for (let i = 0; i < series; i++) {
      const attributes = attributesOf(i);
      for (const value of [0.2, 1.5, (i % 100) / 10]) {
        meter.instruments.llmLatency.record(value, attributes);
        sdkHistogram.record(value, attributes);
        promHistogram.observe(attributes, value);
      }
    }
  }
  const serializer = new PrometheusSerializer();
  // Each scrape ends with the bytes a response carries: the others build strings, which must be encoded.
  const scrapes = [
    ['agentmeter (core producer)', () => fromCore.render('text')],
    ['agentmeter (OTel SDK data)', () => fromSdk.render('text')],
    ['OTel PrometheusExporter', async () => Buffer.from(serializer.serialize((await otel.collect()).resourceMetrics), 'utf8')],
    ['prom-client', async () => Buffer.from(await registry.metrics(), 'utf8')],
  ] as const;
  const rows = (await measure(scrapes, runs)).map((measured) => ({ series, kind, ...measured }));
  await provider.shutdown();
  return rows;
}

function format(rows: readonly Row[]): string {
  const lines = [
    '| series | kind | exporter | CPU ms | × prom-client (CPU) | wall ms | MB out | heap growth MB |',
    '|---:|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const baseline = rows.find((other) => other.series === row.series && other.kind === row.kind && other.exporter === 'prom-client')!;
    lines.push(`| ${row.series.toLocaleString('en')} | ${row.kind} | ${row.exporter} | ${row.cpuMs.toFixed(1)} | ${(row.cpuMs / baseline.cpuMs).toFixed(2)} | ${row.ms.toFixed(1)} | ${(row.bytes / 1048576).toFixed(1)} | ${row.heapMb.toFixed(1)} |`);
  }
  return lines.join('\n');
}

function linearity(rows: readonly Row[], kind: Kind): string {
  const ours = rows.filter((row) => row.kind === kind && row.exporter === 'agentmeter (core producer)');
  return ours.map((row) => `${row.series.toLocaleString('en')}: ${((row.cpuMs / row.series) * 1000).toFixed(1)} µs`).join(', ');
}

export async function run(): Promise<string> {
  const rows: Row[] = [];
  for (const series of SIZES) {
    for (const kind of ['counter', 'histogram'] as const) rows.push(...(await scenario(series, kind)));
  }
  const target = rows.find((row) => row.series === 10_000 && row.kind === 'histogram' && row.exporter === 'agentmeter (core producer)');
  const baseline = rows.find((row) => row.series === 10_000 && row.kind === 'histogram' && row.exporter === 'prom-client');
  return [
    '### Scrape: @agentmeter/prometheus against OTel PrometheusExporter and prom-client',
    '',
    `One registry of N series (labels provider, model, operation, route; histograms with ${BOUNDS.length} bounds, so ${BOUNDS.length + 3} samples a series), `,
    'scraped into the Prometheus text format: collection, serialization and UTF-8 encoding (the bytes a response carries), in process, exporters taking turns; medians. CPU ms is the process\'s CPU time ',
    '(steadier than wall time on a shared machine). "heap growth" is the heap after the scrape minus before it (GC run first): ',
    'what one scrape allocates and still holds. OTel SDK data means agentmeter\'s exporter registered on the same MeterProvider as OTel\'s exporter.',
    '',
    format(rows),
    '',
    target !== undefined && baseline !== undefined
      ? `10k histogram series: agentmeter ${target.cpuMs.toFixed(0)} ms CPU, prom-client ${baseline.cpuMs.toFixed(0)} ms: ${(target.cpuMs / baseline.cpuMs).toFixed(2)}× (goal ≤ 0.25×).`
      : '',
    `Time per series, agentmeter (core producer): counters ${linearity(rows, 'counter')}; histograms ${linearity(rows, 'histogram')}.`,
  ].join('\n');
}

if (import.meta.main) console.log(await run());
