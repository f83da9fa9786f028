import { createAgentMeter } from '@agentmeter/core';
import { createTestReader } from '@agentmeter/core/testing';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Counter as PromCounter, Histogram as PromHistogram, Registry } from 'prom-client';
import { runChild } from '../src/child.ts';
import type { SinkMode } from '../src/otlp-sink.ts';

interface FloodResult {
  elapsedMs: number;
  heapStart: number;
  checkpoints: { values: number; heap: number; series: number }[];
  series: number;
  overflowValue: number | null;
}
interface OutageResult {
  phases: { mode: SinkMode; rps: number; cpuPerRequest: number; heapAfter: number }[];
  messages: { level: string }[];
  served: number;
  exported: number | null;
}

const MB = 1024 * 1024;
const VALUES = 1_000_000;

class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** How many of the calls throw. */
function count(calls: (() => void)[]): number {
  return calls.filter((call) => {
    try {
      call();
      return false;
    } catch {
      return true;
    }
  }).length;
}

/** Bad values each library is handed: how many calls throw into the caller, and what the series reads after. */
async function badInput(): Promise<string[]> {
  const bad = [Number.NaN, Infinity, -Infinity, -1, '3' as unknown as number, null as unknown as number];

  const meter = createAgentMeter();
  const reader = createTestReader(meter);
  const labels = { provider: 'p', model: 'm', token_type: 'input' };
  const agentmeterThrows = count(
    bad.flatMap((value) => [
      () => meter.instruments.llmTokens.add(value, labels),
      () => meter.instruments.llmLatency.record(value, { provider: 'p', model: 'm' }),
    ]),
  );
  meter.instruments.llmTokens.add(1, labels);
  const agentmeterValue = (await reader.collect()).value('agentmeter.llm.tokens', labels);

  const otelReader = new OnDemandReader();
  const provider = new MeterProvider({ readers: [otelReader] });
  const otelCounter = provider.getMeter('bench').createCounter('tokens');
  const otelHistogram = provider.getMeter('bench').createHistogram('latency');
  const otelThrows = count(
    bad.flatMap((value) => [() => otelCounter.add(value, labels), () => otelHistogram.record(value)]),
  );
  otelCounter.add(1, labels);
  const { resourceMetrics } = await otelReader.collect();
  const otelValue = resourceMetrics.scopeMetrics[0]?.metrics.find((m) => m.descriptor.name === 'tokens')?.dataPoints[0]
    ?.value;

  const registry = new Registry();
  const promCounter = new PromCounter({
    name: 'tokens_total',
    help: 'h',
    labelNames: ['provider'],
    registers: [registry],
  });
  const promHistogram = new PromHistogram({ name: 'latency', help: 'h', registers: [registry] });
  const promThrows = count(
    bad.flatMap((value) => [() => promCounter.inc({ provider: 'p' }, value), () => promHistogram.observe(value)]),
  );
  promCounter.inc({ provider: 'p' }, 1);
  const promValue = (await promCounter.get()).values[0]?.value;
  await Promise.all([reader.shutdown(), provider.shutdown()]);
  const calls = bad.length * 2;
  return [
    '| library | bad calls that threw into the caller | counter after the bad calls and one `add(1)` |',
    '|---|---|---|',
    `| agentmeter | ${agentmeterThrows} of ${calls} | ${String(agentmeterValue)} |`,
    `| raw OpenTelemetry (sdk-metrics) | ${otelThrows} of ${calls} | ${String(otelValue)} |`,
    `| prom-client | ${promThrows} of ${calls} | ${String(promValue)} |`,
  ];
}

function floodRow(name: string, result: FloodResult): string {
  const at100k = result.checkpoints[0]!;
  return `| ${name} | ${result.series.toLocaleString('en')} | ${(result.heapStart / MB).toFixed(1)} | ${(at100k.heap / MB).toFixed(1)} | ${(result.checkpoints.at(-1)!.heap / MB).toFixed(1)} | ${result.overflowValue?.toLocaleString('en') ?? '-'} | ${(result.elapsedMs / 1000).toFixed(1)} |`;
}

export async function run(): Promise<string> {
  const ours = await runChild<FloodResult>('./flood-child.ts', [String(VALUES), '2000'], 600_000);
  const otel = await runChild<FloodResult>('./flood-child.ts', [String(VALUES), '2000', 'otel'], 600_000);
  const outage = await runChild<OutageResult>('./outage-child.ts', ['1500'], 600_000);
  const healthy = outage.phases.slice(1).filter((phase) => phase.mode === 'ok');
  const baseline = healthy.reduce((sum, phase) => sum + phase.rps, 0) / healthy.length;
  const cpuBaseline = healthy.reduce((sum, phase) => sum + phase.cpuPerRequest, 0) / healthy.length;
  const ratio = (mode: SinkMode): string => {
    const phase = outage.phases.find((candidate) => candidate.mode === mode)!;
    return `${(phase.rps / baseline).toFixed(2)} (CPU per request ${(phase.cpuPerRequest / cpuBaseline).toFixed(2)})`;
  };
  return [
    '### Reliability: cardinality flood, bad input, collector outages',
    '',
    `${VALUES.toLocaleString('en')} distinct attribute values into one counter with a series limit of 2,000, collected (cumulative) every 100,000 values. Heap in MB after GC.`,
    '',
    '| | series exported | heap at start | heap at 100,000 | heap at 1,000,000 | overflow series value | seconds |',
    '|---|---|---|---|---|---|---|',
    floodRow('agentmeter', ours),
    floodRow('raw OpenTelemetry, cardinalityLimit 2000', otel),
    '',
    "OpenTelemetry applies its limit per collection, so cumulative output grows by about 2,000 series per collection; agentmeter's limit holds over the instrument's lifetime.",
    '',
    ...(await badInput()),
    '',
    `OTLP collector outages under autocannon load (@agentmeter/node start(), push every 500 ms): throughput relative to the healthy phases (${Math.round(baseline)} req/s; they differ among themselves by ${healthy.map((phase) => (phase.rps / baseline).toFixed(2)).join(', ')}) while refusing ${ratio('refuse')}, hung ${ratio('hang')}, answering 500 ${ratio('error')}; ` +
      `${outage.messages.filter((message) => message.level === 'warn').length} warnings over three outages; ${outage.exported} of ${outage.served} requests in the first push after recovery.`,
    '',
  ].join('\n');
}
