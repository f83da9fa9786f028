import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { envNumber, fmt, table } from '../../../scripts/bench-kit.ts';
import {
  addBlock,
  emptySeries,
  frameworksToRun,
  launch,
  loss,
  median,
  medianInterval,
  PATHS,
  SHORT_WINDOW,
  SteadyLoad,
  SWITCHED,
  toggle,
} from './service-process.ts';
import type { AbbaSeries, Service, Window } from './service-process.ts';

// Throughput loss as a load test sees it: one service process at a time, loaded as hard as one
// autocannon can on the other core, its start() switched off and on between windows in ABBA blocks
// (off, on, on, off, then on, off, off, on), so a drift in the machine's speed across a block
// cancels in its ratio. `toggle` loads two services at once and measures CPU per request at partial
// load; here nothing else runs, and the table shows how close to a whole core each side kept the
// service (at one core its loop never sleeps, and req/s is its capacity).

const OBSERVER_ALONE = "start()'s HTTP observer alone, the rest of start() staying on";
/**
 * The variants switched (of http-service.ts's), `BENCH_CAPACITY_VARIANTS='start()|start(), http: false'`.
 * By default start() as a whole. To take it apart: the HTTP observer alone (switching only it leaves
 * behind none of the work a start() and shutdown() do, garbage and code to compile, in the next
 * window), the observer built anew at each switch on as start() builds its own (`a new HTTP observer
 * at each switch on, the rest of start() staying on`), `start(), http: false`, `start(), runtime: false` and `start(), express: false`;
 * start()'s own observer switched while its start() runs throughout (no shutdown() or start() between windows), and
 * start() switched while a do-nothing subscriber holds the observer's two channels active (their objects never change class).
 */
const VARIANTS = process.env['BENCH_CAPACITY_VARIANTS']?.split('|') ?? ['start()'];
/** ABBA blocks per process. */
const BLOCKS = envNumber('BENCH_CAPACITY_BLOCKS', 16, { integer: true });
/**
 * Fresh processes per service, one after the other. With 3, a row's interval was 3-7 points wide and
 * the same row moved by 2-3 points between runs; with 8 (128 blocks), about a point wide.
 */
const PROCESSES = envNumber('BENCH_CAPACITY_PROCESSES', 8, { integer: true });

const loads: number[] = [];

async function measureWindow(service: Service, load: SteadyLoad, on: boolean): Promise<Window> {
  await toggle(service.child, on);
  await sleep(SHORT_WINDOW.settleSeconds * 1000);
  loads.push(loadavg()[0]!);
  const before = process.cpuUsage();
  const started = performance.now();
  const sample = await load.measure(SHORT_WINDOW.seconds);
  const elapsed = (performance.now() - started) * 1000;
  const { user, system } = process.cpuUsage(before);
  return {
    ...sample,
    serviceCores: (sample.cpuMicros * sample.requests) / elapsed,
    generatorCores: (user + system) / elapsed,
  };
}

async function measure(framework: string, variant: string): Promise<AbbaSeries> {
  const measured = emptySeries();
  for (let set = 0; set < PROCESSES; set++) {
    const service = await launch(framework, variant, PATHS[framework], { toggled: true });
    const load = new SteadyLoad(service, SWITCHED.connections);
    try {
      await toggle(service.child, true);
      await sleep((SWITCHED.warmupSeconds / 2) * 1000);
      await toggle(service.child, false);
      await sleep((SWITCHED.warmupSeconds / 2) * 1000);
      for (let block = 0; block < BLOCKS; block++) {
        await addBlock(measured, block, (on) => measureWindow(service, load, on));
      }
    } finally {
      await load.stop();
      service.child.kill('SIGTERM');
    }
  }
  return measured;
}

const cores = (windows: Window[], key: 'serviceCores' | 'generatorCores'): string =>
  fmt(median(windows.map((sample) => sample[key])), 2);

function row(framework: string, variant: string, { rps, cpu, user, on, off }: AbbaSeries): string[] {
  const [low, high] = medianInterval(rps);
  const [cpuLow, cpuHigh] = medianInterval(cpu);
  const [userLow, userHigh] = medianInterval(user);
  return [
    `${framework} (\`${PATHS[framework]}\`), ${variant}`,
    fmt(median(off.map((sample) => sample.rps))),
    fmt(median(on.map((sample) => sample.rps))),
    loss(median(rps)),
    `${loss(high)} to ${loss(low)}`,
    `${median(cpu).toFixed(3)}x (${cpuLow.toFixed(3)}-${cpuHigh.toFixed(3)}x)`,
    `${median(user).toFixed(3)}x (${userLow.toFixed(3)}-${userHigh.toFixed(3)}x)`,
    `${cores(off, 'serviceCores')} / ${cores(on, 'serviceCores')}`,
    `${cores(off, 'generatorCores')} / ${cores(on, 'generatorCores')}`,
  ];
}

/** Throughput of each service alone under as much load as one autocannon makes, start() on against off. */
export async function run(): Promise<string> {
  const frameworks = frameworksToRun();
  const rows: string[][] = [];
  for (const framework of frameworks)
    for (const variant of VARIANTS) rows.push(row(framework, variant, await measure(framework, variant)));
  return [
    '### @agentmeter/node: throughput loss of start(), one service at a time',
    '',
    `One process of each service, alone on the machine with its load generator (an autocannon in the bench process, ` +
      `${SWITCHED.connections} connections on loopback, the same connections from launch to the end), its start() shut down ` +
      `and started again between windows of ${SHORT_WINDOW.seconds} s, each after ${SHORT_WINDOW.settleSeconds} s of unmeasured load` +
      (VARIANTS.includes(OBSERVER_ALONE)
        ? ` (in the observer-alone row only the HTTP observer is switched, the per-request part of start(), while the rest of ` +
          `start() runs throughout, so no start() or shutdown() leaves work behind in a window)`
        : '') +
      `. Windows ` +
      `come in ABBA blocks (off, on, on, off; the next block on, off, off, on), and a block's ratio is the geometric ` +
      `mean of its on/off ratios, so a steady drift of the machine's speed across the block cancels. ${BLOCKS} blocks in ` +
      `each of ${PROCESSES} processes, after a ${SWITCHED.warmupSeconds}-second warm-up in which each ran on and off. Medians ` +
      `over blocks, with the 90% percentile-bootstrap interval of the median. "Cores" are CPU seconds per second: a ` +
      `service at 1.00 never lets its loop sleep, so its req/s is its capacity; a load generator near 1.00 is what ` +
      `limits the service instead. Load average (1 minute): ${fmt(Math.min(...loads), 1)} to ${fmt(Math.max(...loads), 1)}.`,
    '',
    table(
      [
        'service, variant',
        'req/s off',
        'req/s on',
        'throughput loss',
        'throughput loss, 90% interval',
        'CPU per request, on vs off',
        'user CPU per request, on vs off',
        'service cores, off / on',
        'load generator cores, off / on',
      ],
      rows,
    ),
  ].join('\n');
}
