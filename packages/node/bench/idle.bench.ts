import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { envNumber, fmt, table } from '../../../scripts/bench-kit.ts';
import { cpuMicros, launch, median, type Service } from './service-process.ts';

/**
 * What start() costs a service that answers no request: its timers (the event-loop delay sampler
 * above all) and nothing else. Every variant runs at once, all idle, in ROUNDS windows.
 */
const VARIANTS = [
  'bare',
  'start()',
  'start(), event-loop delay sampled every 10 ms',
  'start(), event-loop delay sampled every 100 ms',
  'start(), runtime: false',
  'prom-client collectDefaultMetrics()',
];
const ROUNDS = envNumber('BENCH_IDLE_ROUNDS', 5, { integer: true });
const SECONDS = envNumber('BENCH_IDLE_SECONDS', 10);
/** Start-up work (module loading, the SDK's first timers) is over by then. */
const SETTLE_SECONDS = 5;

/** CPU milliseconds per second of each service over one window in which all of them idle. */
async function window(services: Service[]): Promise<number[]> {
  const before = await Promise.all(services.map((service) => cpuMicros(service.child)));
  const started = performance.now();
  await sleep(SECONDS * 1000);
  const after = await Promise.all(services.map((service) => cpuMicros(service.child)));
  const seconds = (performance.now() - started) / 1000;
  return after.map((micros, i) => (micros - before[i]!) / 1000 / seconds);
}

/** CPU milliseconds per second as a share of one core; a difference under 0.005% is 0. */
function share(ms: number): string {
  const percent = (ms / 1000) * 100;
  return `${fmt(Math.abs(percent) < 0.005 ? 0 : percent, 2)}%`;
}

/** Idle CPU of a node:http service with and without start(), and with prom-client's default metrics. */
export async function run(): Promise<string> {
  const services = await Promise.all(VARIANTS.map((variant) => launch('node:http', variant)));
  const samples: number[][] = VARIANTS.map(() => []);
  try {
    await sleep(SETTLE_SECONDS * 1000);
    for (let round = 0; round < ROUNDS; round++) {
      const cpu = await window(services);
      cpu.forEach((ms, i) => samples[i]!.push(ms));
    }
  } finally {
    for (const service of services) service.child.kill('SIGTERM');
  }
  const bare = median(samples[0]!);
  const rows = VARIANTS.map((variant, i) => {
    const ms = median(samples[i]!);
    return [
      variant,
      fmt(ms, 2),
      fmt(Math.min(...samples[i]!), 2) + '-' + fmt(Math.max(...samples[i]!), 2),
      i === 0 ? '-' : share(ms - bare),
    ];
  });
  return [
    '### @agentmeter/node: idle cost of start()',
    '',
    `A node:http service that answers no request, ${VARIANTS.length} variants in their own processes, idle at the same time ` +
      `for ${ROUNDS} windows of ${SECONDS} s after ${SETTLE_SECONDS} s of settling; CPU time (user + system) per second of ` +
      `wall time, median of the windows. No scrape and no push happen, so what remains is what runs on timers. ` +
      `Load average (1 minute) at the end: ${loadavg()
        .map((value) => value.toFixed(1))
        .join(', ')}.`,
    '',
    table(['variant', 'CPU ms per second', 'range over the windows', 'extra CPU vs bare, share of a core'], rows),
    '',
    "The event-loop delay histogram (runtime-node's, and prom-client's) samples on a libuv timer that wakes the loop",
    "every resolution (20 ms by default; 10 ms in OpenTelemetry's and prom-client's), idle or not; `runtime: { eventLoopDelayResolutionMillis }` sets it. See docs/node.md.",
  ].join('\n');
}
