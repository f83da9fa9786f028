import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { envNumber, fmt, table } from '../../../scripts/bench-kit.ts';
import { PausableLoad } from './pausable-load.ts';
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
  SWITCHED,
} from './service-process.ts';
import type { AbbaSeries, Service, Window } from './service-process.ts';

// Throughput loss of a service that runs start() from launch, against one that never does: the
// capacity bench without switching. Each pair is two fresh processes of one service, bare and with
// start(), each with its own load generator on its own connections from launch to the end; one is
// loaded at a time, as hard as one autocannon can on the other core, while the other's generator is
// paused (SIGSTOP), in ABBA blocks. Nothing is switched inside a process, so no start() or shutdown()
// leaves work in a window; in exchange, the two sides are different processes, which V8 compiles
// differently (a few percent, fixed for a process's life), so the figure is the median over many
// pairs, with an interval from resampling pairs, not blocks.

/**
 * The variants (of http-service.ts's) each compared with bare, `BENCH_PAIRED_VARIANTS='start()|start(), http: false'`
 * for every service; by default `start()`, and for node:http also `http: false`, which runs nothing per request: a
 * fresh-process reading of it with an interval, beside `overhead`'s.
 */
const VARIANTS_SET = process.env['BENCH_PAIRED_VARIANTS']?.split('|');
const variantsOf = (framework: string): string[] =>
  VARIANTS_SET ?? (framework === 'node:http' ? ['start()', 'start(), http: false'] : ['start()']);
/** Fresh pairs of processes per service and variant. */
const PAIRS = envNumber('BENCH_PAIRED_PAIRS', 16, { integer: true });
/** ABBA blocks per pair. */
const BLOCKS = envNumber('BENCH_PAIRED_BLOCKS', 8, { integer: true });

const loads: number[] = [];

interface Side {
  service: Service;
  load: PausableLoad;
}

/** Loads one side alone for a window (its generator resumed, the other's paused). */
async function measureWindow(side: Side): Promise<Window> {
  side.load.resume();
  await sleep(SHORT_WINDOW.settleSeconds * 1000);
  loads.push(loadavg()[0]!);
  const window = await side.load.measure(SHORT_WINDOW.seconds);
  side.load.pause();
  return window;
}

async function open(framework: string, variant: string): Promise<Side> {
  const service = await launch(framework, variant, PATHS[framework]);
  const load = new PausableLoad(service, SWITCHED.connections);
  await load.connected();
  load.pause();
  return { service, load };
}

/** One pair's blocks, start() (on) against bare (off). */
async function measurePair(framework: string, variant: string, index: number): Promise<AbbaSeries> {
  const pair = emptySeries();
  // Which process starts first alternates from pair to pair.
  const sides: Side[] = [];
  try {
    for (const name of index % 2 === 0 ? ['bare', variant] : [variant, 'bare']) sides.push(await open(framework, name));
    const [off, on] = index % 2 === 0 ? [sides[0]!, sides[1]!] : [sides[1]!, sides[0]!];
    // Warm-up, in two halves each, so neither side is always the one warmed last.
    for (const side of [off, on, on, off]) {
      side.load.resume();
      await sleep((SWITCHED.warmupSeconds / 2) * 1000);
      side.load.pause();
    }
    for (let block = 0; block < BLOCKS; block++) {
      await addBlock(pair, block, (side) => measureWindow(side ? on : off));
    }
  } finally {
    for (const side of sides) {
      await side.load.stop();
      side.service.child.kill('SIGTERM');
    }
  }
  return pair;
}

function row(framework: string, variant: string, pairs: AbbaSeries[]): string[] {
  const rps = pairs.map((pair) => median(pair.rps));
  const cpu = pairs.map((pair) => median(pair.cpu));
  const user = pairs.map((pair) => median(pair.user));
  const [low, high] = medianInterval(rps);
  const [cpuLow, cpuHigh] = medianInterval(cpu);
  const [userLow, userHigh] = medianInterval(user);
  const windows = (side: 'on' | 'off'): Window[] => pairs.flatMap((pair) => pair[side]);
  const cores = (side: 'on' | 'off', key: 'serviceCores' | 'generatorCores'): string =>
    fmt(median(windows(side).map((window) => window[key])), 2);
  return [
    `${framework} (\`${PATHS[framework]}\`), ${variant}`,
    fmt(median(windows('off').map((window) => window.rps))),
    fmt(median(windows('on').map((window) => window.rps))),
    `${loss(median(rps))} (${loss(high)} to ${loss(low)})`,
    `${loss(Math.max(...rps))} to ${loss(Math.min(...rps))}`,
    `${median(cpu).toFixed(3)}x (${cpuLow.toFixed(3)}-${cpuHigh.toFixed(3)}x)`,
    `${median(user).toFixed(3)}x (${userLow.toFixed(3)}-${userHigh.toFixed(3)}x)`,
    `${cores('off', 'serviceCores')} / ${cores('on', 'serviceCores')}`,
    `${cores('off', 'generatorCores')} / ${cores('on', 'generatorCores')}`,
  ];
}

/** Throughput of each service with start() from launch against bare, one process loaded at a time. */
export async function run(): Promise<string> {
  const frameworks = frameworksToRun();
  const rows: string[][] = [];
  for (const framework of frameworks) {
    for (const variant of variantsOf(framework)) {
      const pairs: AbbaSeries[] = [];
      for (let index = 0; index < PAIRS; index++) pairs.push(await measurePair(framework, variant, index));
      rows.push(row(framework, variant, pairs));
    }
  }
  return [
    '### @agentmeter/node: throughput loss of start() from launch, against a bare process',
    '',
    `${PAIRS} pairs of fresh processes per service, one bare and one running the variant from launch, each with a load ` +
      `generator of its own (an autocannon in a process of its own, ${SWITCHED.connections} connections on loopback, the ` +
      `same connections from launch to the end). One is loaded at a time, as hard as its generator can on the other ` +
      `core, while the other's generator is paused (SIGSTOP): windows of ${SHORT_WINDOW.seconds} s, each after ` +
      `${SHORT_WINDOW.settleSeconds} s of unmeasured load, in ABBA blocks (bare, variant, variant, bare; the next block the ` +
      `other way round), ${BLOCKS} blocks per pair after ${SWITCHED.warmupSeconds} s of warm-up of each process. A ` +
      `pair's figure is the median of its blocks' ratios (each the geometric mean of the block's two ratios); the table ` +
      `gives the median over pairs with the 90% percentile-bootstrap interval from resampling pairs, and the lowest and ` +
      `highest pair. Nothing is switched inside a process; the two sides of a pair are different processes, which V8 ` +
      `compiles differently by a few percent, hence many pairs. Load average (1 minute): ${fmt(Math.min(...loads), 1)} ` +
      `to ${fmt(Math.max(...loads), 1)}.`,
    '',
    table(
      [
        'service, variant',
        'req/s bare',
        'req/s variant',
        'throughput loss (90% interval)',
        'loss, lowest to highest pair',
        'CPU per request vs bare (90% interval)',
        'user CPU per request vs bare (90% interval)',
        'service cores, bare / variant',
        'load generator cores, bare / variant',
      ],
      rows,
    ),
  ].join('\n');
}
