// Run in a child process with --expose-gc: pushes distinct attribute values into one instrument
// and prints heap and series figures as one JSON line. Usage: flood-child.ts <values> <seriesLimit>
import { createAgentMeter } from '@agentmeter/core';
import type { Attributes } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';

class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const total = Number(process.argv[2] ?? 1_000_000);
const seriesLimit = Number(process.argv[3] ?? 2_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('flood-child needs node --expose-gc');

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

// `otel` floods a raw OpenTelemetry counter with the same cardinality limit, as the baseline.
const baseline = process.argv[4] === 'otel';
const meter = createAgentMeter({ seriesLimit });
const reader = new OnDemandReader({
  cardinalitySelector: () => seriesLimit,
  ...(baseline ? {} : { metricProducers: [meter.metricProducer!] }),
});
const provider = new MeterProvider({ readers: [reader] });
const counter: { add(value: number, attributes: Attributes): void } = baseline
  ? provider.getMeter('baseline').createCounter('agentmeter.llm.requests')
  : meter.instruments.llmRequests;

async function points(): Promise<MetricData['dataPoints']> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((m) => m.descriptor.name === 'agentmeter.llm.requests');
  return metric?.dataPoints ?? [];
}

const heapStart = heapAfterGc();
const checkpoints: { values: number; heap: number; series: number }[] = [];
let maxSeries = 0;
const started = performance.now();
const step = total / 10;
for (let i = 0; i < total; i++) {
  counter.add(1, { provider: 'openai', model: `model-${i}`, operation: 'chat', status: 'success' });
  if ((i + 1) % step === 0) {
    const series = (await points()).length;
    maxSeries = Math.max(maxSeries, series);
    checkpoints.push({ values: i + 1, heap: heapAfterGc(), series });
  }
}
const elapsedMs = performance.now() - started;
const final = await points();
const overflow = final.find((point) => point.attributes['otel.metric.overflow'] === true);
await provider.shutdown();
const sum = final.reduce((acc, point) => acc + (point.value as number), 0);
console.log(
  JSON.stringify({
    total,
    seriesLimit,
    elapsedMs,
    heapStart,
    checkpoints,
    maxSeries,
    series: final.length,
    overflowValue: overflow?.value ?? null,
    sum,
  }),
);
