// Run in a child process with --expose-gc: a node:http service instrumented with @agentmeter/node's
// start() pushes OTLP to a sink that refuses, hangs and answers 500 in turn, under autocannon load.
// Prints one JSON line with per-phase throughput, heap, warnings and the totals after recovery.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { start } from '@agentmeter/node';
import autocannon from 'autocannon';
import { startOtlpSink, type SinkMode } from './otlp-sink.ts';

const AMOUNT = Number(process.argv[2] ?? 3_000);
const INTERVAL_MS = 500;
const gc = (globalThis as { gc?: () => void }).gc!;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const heap = (): number => {
  gc();
  return process.memoryUsage().heapUsed;
};

const messages: { level: string; text: string }[] = [];
const log =
  (level: string) =>
  (...args: unknown[]): void => {
    messages.push({ level, text: args.map(String).join(' ') });
  };
const sink = await startOtlpSink();
const handle = start({
  serviceName: 'outage-check',
  prometheus: false,
  runtime: false,
  hostMetrics: false,
  attributes: { requests: ['route'] },
  otlp: { protocol: 'http/json', endpoint: sink.url, intervalMillis: INTERVAL_MS, timeoutMillis: 450 },
  diagLogger: { error: log('error'), warn: log('warn'), info: log('info'), debug: () => {}, verbose: () => {} },
});
let served = 0;
const service = createServer((_request, response) => {
  handle.meter.trackRequest({ route: '/work' }, () => {
    served++;
    response.end('ok');
  });
});
await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}/work`;

interface Phase {
  mode: SinkMode;
  rps: number;
  cpuPerRequest: number;
  requests: number;
  errors: number;
  non2xx: number;
  heapAfter: number;
  attempts: number;
}
const phases: Phase[] = [];
const schedule: SinkMode[] = ['ok', 'ok', 'refuse', 'ok', 'hang', 'ok', 'error', 'ok'];
for (const mode of schedule) {
  await sink.setMode(mode);
  const attemptsBefore = sink.attempts[mode];
  const started = performance.now();
  // CPU time per request is steadier than wall-clock throughput on a shared machine.
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({ url, connections: 10, amount: AMOUNT });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // Every phase spans several export intervals, so an outage meets several failing pushes.
  const remaining = 4 * INTERVAL_MS - (performance.now() - started);
  if (remaining > 0) await sleep(remaining);
  phases.push({
    mode,
    rps: result.requests.total / seconds,
    cpuPerRequest: (cpu.user + cpu.system) / result.requests.total,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    heapAfter: heap(),
    attempts: sink.attempts[mode] - attemptsBefore,
  });
}
await handle.forceFlush();
const last = sink.exports.at(-1);
const requests = last?.metrics.find((metric) => metric.name === 'agentmeter.requests');
const exported = requests?.points.reduce((sum, point) => sum + point.value, 0) ?? null;
const latency = last?.metrics.find((metric) => metric.name === 'agentmeter.response_time');
const exportedCount = latency?.points.reduce((sum, point) => sum + (point.count ?? 0), 0) ?? null;
await handle.shutdown();
await new Promise((resolve) => service.close(resolve));
await sink.close();
console.log(JSON.stringify({ phases, served, exported, exportedCount, messages, attempts: sink.attempts }));
