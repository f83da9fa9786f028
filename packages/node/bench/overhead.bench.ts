import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { fmt, ratio, table } from '../../../scripts/bench-kit.ts';

const SERVICE = fileURLToPath(new URL('./http-service.ts', import.meta.url));
const VARIANTS = ['baseline', 'start', 'start, http off', 'start, http without active requests and client'];
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 3);
const CONNECTIONS = 16;

interface Sample {
  rps: number;
  p99: number;
  /** Server CPU time per request: robust to a busy machine, unlike throughput. */
  cpuMicros: number;
}

async function launch(variant: string): Promise<{ child: ChildProcess; port: number }> {
  // process.execPath: the workspace's Node 24.
  const child = spawn(process.execPath, ['--conditions=@agentmeter/source', SERVICE, variant], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim())));
    child.once('exit', (code) => reject(new Error(`service ${variant} exited with ${code}`)));
  });
  return { child, port };
}

function cpuMicros(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve((message as { cpuMicros: number }).cpuMicros));
    child.send('cpu');
  });
}

async function load(service: { child: ChildProcess; port: number }, seconds: number): Promise<Sample> {
  const before = await cpuMicros(service.child);
  const result = await autocannon({ url: `http://127.0.0.1:${service.port}/`, connections: CONNECTIONS, duration: seconds });
  const after = await cpuMicros(service.child);
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`load run had ${result.errors} errors and ${result.non2xx} non-2xx answers`);
  return { rps: result.requests.average, p99: result.latency.p99, cpuMicros: (after - before) / result.requests.total };
}

const median = (values: number[]): number => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Throughput and p99 latency of a small node:http service with and without start(), on loopback. */
export async function run(): Promise<string> {
  const samples = new Map<string, Sample[]>(VARIANTS.map((variant) => [variant, []]));
  const services = new Map<string, { child: ChildProcess; port: number }>();
  try {
    for (const variant of VARIANTS) {
      const service = await launch(variant);
      services.set(variant, service);
      await load(service, 3); // warm-up: JIT and connection pools
    }
    // Rounds interleave the variants, so drifting load on a shared machine hits them alike.
    // The order rotates each round, so no variant always runs first.
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < VARIANTS.length; i++) {
        const variant = VARIANTS[(i + round) % VARIANTS.length]!;
        samples.get(variant)!.push(await load(services.get(variant)!, SECONDS));
      }
    }
  } finally {
    for (const { child } of services.values()) child.kill('SIGTERM');
  }
  const load1 = loadavg().map((value) => value.toFixed(1)).join(', ');
  const base = samples.get('baseline')!;
  const baseRps = median(base.map((s) => s.rps));
  const baseP99 = median(base.map((s) => s.p99));
  const baseCpu = median(base.map((s) => s.cpuMicros));
  const rows = VARIANTS.map((variant) => {
    const rps = median(samples.get(variant)!.map((s) => s.rps));
    const p99 = median(samples.get(variant)!.map((s) => s.p99));
    const cpu = median(samples.get(variant)!.map((s) => s.cpuMicros));
    const loss = ((1 - rps / baseRps) * 100).toFixed(1);
    return [
      variant, fmt(rps), ratio(rps, baseRps), variant === 'baseline' ? '-' : `${loss}%`, fmt(p99, 1), ratio(p99, baseP99),
      fmt(cpu, 1), ratio(cpu, baseCpu),
    ];
  });
  return [
    '### @agentmeter/node: HTTP overhead of start()',
    '',
    `autocannon, ${CONNECTIONS} connections, loopback, against a node:http service answering a small JSON body; ` +
      `median of ${ROUNDS} interleaved ${SECONDS}-second rounds per variant after a 3-second warm-up. Each service runs in its own process. ` +
      `Load average at the end: ${load1}.`,
    '',
    table(['variant', 'req/s', 'vs baseline', 'throughput loss', 'p99 ms', 'p99 vs baseline', 'server CPU µs/request', 'CPU vs baseline'], rows),
    '',
    'Throughput and p99 move with whatever else the machine runs; server CPU time per request (the service process, measured over',
    'IPC around each round) is the steadier measure of overhead. See docs/node.md for where the time goes.',
  ].join('\n');
}
