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
  readonly firstCpuMs: number;
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
  return {
    provider: i % 2 === 0 ? 'openai' : 'anthropic',
    model: `model-${i % 50}`,
    operation: 'chat',
    route: `/route/${i}`,
  };
}

interface Measured {
  readonly ms: number;
  readonly cpuMs: number;
  readonly firstCpuMs: number;
  readonly bytes: number;
  readonly heapMb: number;
}

/** One scrape: wall and CPU time (CPU time is steadier on a shared machine) and bytes. */
async function timed(scrape: () => Promise<Uint8Array>): Promise<{ ms: number; cpuMs: number; bytes: number }> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const bytes = (await scrape()).byteLength;
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes };
}

/** Heap after a scrape minus before it, GC run first: what one scrape allocates and still holds. */
async function heapGrowth(scrape: () => Promise<Uint8Array>): Promise<number> {
  gc();
  const before = process.memoryUsage().heapUsed;
  await scrape();
  return (process.memoryUsage().heapUsed - before) / 1048576;
}

function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * The first scrape (which fills any cache), then the median of `runs` more. No GC is forced
 * between timed scrapes (a service does not force one either); heap growth is a separate scrape.
 */
async function measure(scrape: () => Promise<Uint8Array>, runs: number): Promise<Measured> {
  gc();
  const first = await timed(scrape);
  const rest = [];
  for (let i = 0; i < runs; i++) rest.push(await timed(scrape));
  const steady = rest.length === 0 ? [first] : rest;
  return {
    ms: median(steady.map((m) => m.ms)),
    cpuMs: median(steady.map((m) => m.cpuMs)),
    firstCpuMs: first.cpuMs,
    bytes: first.bytes,
    heapMb: runs === 0 ? Number.NaN : await heapGrowth(scrape),
  };
}

type Record3 = (i: number, attributes: Record<(typeof LABELS)[number], string>) => void;

/** Fills one registry with N series: a counter (value i + 1) or a histogram (three values a series). */
function fill(series: number, kind: Kind, add: Record3, observe: Record3): void {
  for (let i = 0; i < series; i++) (kind === 'counter' ? add : observe)(i, attributesOf(i));
}

const VALUES = (i: number): number[] => [0.2, 1.5, (i % 100) / 10];

/** Builds one exporter's registry alone, so no other registry weighs on its garbage collections. */
async function exporterScrape(
  exporter: string,
  series: number,
  kind: Kind,
): Promise<[() => Promise<Uint8Array>, () => Promise<void>]> {
  const views = [{ instrumentName: '*', aggregationCardinalityLimit: series + 10 }];
  if (exporter === 'prom-client') {
    const registry = new Registry();
    const counter = new Counter({
      name: 'agentmeter_llm_requests_total',
      help: 'LLM calls.',
      labelNames: LABELS,
      registers: [registry],
    });
    const histogram = new Histogram({
      name: 'agentmeter_llm_latency_seconds',
      help: 'LLM latency.',
      labelNames: LABELS,
      buckets: BOUNDS,
      registers: [registry],
    });
    fill(
      series,
      kind,
      (i, a) => counter.inc(a, i + 1),
      (i, a) => {
        for (const v of VALUES(i)) histogram.observe(a, v);
      },
    );
    return [async () => Buffer.from(await registry.metrics(), 'utf8'), async () => registry.clear()];
  }
  if (exporter === 'agentmeter (core producer)') {
    const meter = createAgentMeter({ seriesLimit: series + 10, attributes: { llm: ['route'] } });
    const reader = new PrometheusExporter({ metricProducers: [meter.metricProducer!], env: {} });
    fill(
      series,
      kind,
      (i, a) => meter.instruments.llmRequests.add(i + 1, a),
      (i, a) => {
        for (const v of VALUES(i)) meter.instruments.llmLatency.record(v, a);
      },
    );
    return [() => reader.render('text'), () => reader.shutdown()];
  }
  // OTel's exporter takes no cardinality option; a view lifts the SDK's default limit of 2000 series.
  const serializer = new PrometheusSerializer();
  const otel =
    exporter === 'OTel PrometheusExporter' ? new OtelPrometheusExporter({ preventServerStart: true }) : undefined;
  const ours = otel === undefined ? new PrometheusExporter({ env: {} }) : undefined;
  const provider = new MeterProvider({ readers: [otel ?? ours!], views });
  const sdkMeter = provider.getMeter('bench');
  const counter = sdkMeter.createCounter('agentmeter.llm.requests', { unit: '{request}' });
  const histogram = sdkMeter.createHistogram('agentmeter.llm.latency', {
    unit: 's',
    advice: { explicitBucketBoundaries: BOUNDS },
  });
  fill(
    series,
    kind,
    (i, a) => counter.add(i + 1, a),
    (i, a) => {
      for (const v of VALUES(i)) histogram.record(v, a);
    },
  );
  const scrape =
    otel !== undefined
      ? async () => Buffer.from(serializer.serialize((await otel.collect()).resourceMetrics), 'utf8')
      : () => ours!.render('text');
  return [scrape, () => provider.shutdown()];
}

const EXPORTERS = [
  'agentmeter (core producer)',
  'agentmeter (OTel SDK data)',
  'OTel PrometheusExporter',
  'prom-client',
] as const;

async function scenario(series: number, kind: Kind): Promise<Row[]> {
  // The largest registries get one steady scrape after the first; OTel's takes ~16 s of CPU there, so only its first.
  const runs = series >= 100_000 ? 1 : series >= 10_000 ? 3 : 7;
  const rows: Row[] = [];
  for (const exporter of EXPORTERS) {
    gc();
    const [scrape, close] = await exporterScrape(exporter, series, kind);
    const exporterRuns = series >= 100_000 && exporter === 'OTel PrometheusExporter' ? 0 : runs;
    rows.push({ series, kind, exporter, ...(await measure(scrape, exporterRuns)) });
    await close();
  }
  return rows;
}

function format(rows: readonly Row[]): string {
  const lines = [
    '| series | kind | exporter | CPU ms | × prom-client (CPU) | first scrape CPU ms | wall ms | MB out | heap growth MB |',
    '|---:|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const baseline = rows.find(
      (other) => other.series === row.series && other.kind === row.kind && other.exporter === 'prom-client',
    )!;
    lines.push(
      `| ${row.series.toLocaleString('en')} | ${row.kind} | ${row.exporter} | ${row.cpuMs.toFixed(1)} | ${(row.cpuMs / baseline.cpuMs).toFixed(2)} | ${row.firstCpuMs.toFixed(1)} | ${row.ms.toFixed(1)} | ${(row.bytes / 1048576).toFixed(1)} | ${Number.isNaN(row.heapMb) ? 'n/a' : row.heapMb.toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}

function linearity(rows: readonly Row[], kind: Kind): string {
  const ours = rows.filter((row) => row.kind === kind && row.exporter === 'agentmeter (core producer)');
  return ours
    .map((row) => `${row.series.toLocaleString('en')}: ${((row.cpuMs / row.series) * 1000).toFixed(1)} µs`)
    .join(', ');
}

export async function run(): Promise<string> {
  const rows: Row[] = [];
  for (const series of SIZES) {
    for (const kind of ['counter', 'histogram'] as const) rows.push(...(await scenario(series, kind)));
  }
  const target = rows.find(
    (row) => row.series === 10_000 && row.kind === 'histogram' && row.exporter === 'agentmeter (core producer)',
  );
  const baseline = rows.find(
    (row) => row.series === 10_000 && row.kind === 'histogram' && row.exporter === 'prom-client',
  );
  return [
    '### Scrape: @agentmeter/prometheus against OTel PrometheusExporter and prom-client',
    '',
    `One registry of N series (labels provider, model, operation, route; histograms with ${BOUNDS.length} bounds, so ${BOUNDS.length + 3} samples a series), `,
    'scraped into the Prometheus text format: collection, serialization and UTF-8 encoding (the bytes a response carries), in process. ',
    'Each exporter is measured with only its own registry in the heap. CPU ms is the median process CPU time of the scrapes after the first ',
    "(steadier than wall time on a shared machine; the first scrape, which fills agentmeter's per-series label cache, has its own column). ",
    '"heap growth" is the heap after one more scrape minus before it (GC run first; not measured where only one scrape runs). ',
    '"OTel SDK data": agentmeter\'s exporter registered on a MeterProvider, as OTel\'s is.',
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
