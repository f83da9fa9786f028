import { loadavg } from 'node:os';
import { envNumber, fmt, table } from '../../../scripts/bench-kit.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  launch,
  loss,
  median,
  medianInterval,
  PATHS,
  SteadyLoad,
  SWITCHED,
  toggle,
  type Service,
  type Throughput as Sample,
} from './service-process.ts';

/**
 * start()'s cost as a crossover: two processes of one service, each able to shut its start() down
 * and start it again, loaded at the same time, one with start() on and the other off, then the
 * other way round. Two kinds of noise, each as large here as the overhead being measured, cancel:
 * what V8 happens to inline in one process (a few percent of CPU per request, fixed for the
 * process's life: both processes are measured on and off) and the shared machine's speed, which
 * drifts by 10-20% within seconds (both sides of a ratio are measured over the same seconds).
 * Each process is loaded without a break, on the same connections, from launch to the end: a new
 * connection deoptimized a dozen of node:http's functions (--trace-opt), and a fresh load generator
 * per round put their recompilation, a few percent of CPU, into one side of some rounds.
 */
const CASES: [framework: string, variant: string][] = [
  ['node:http', 'start()'],
  ['node:http', 'start(), http: false'],
  ['node:http', 'start(), runtime: false'],
  ['node:http', 'start(), event-loop delay sampled every 100 ms'],
  ['express', 'start()'],
  ['express', 'start(), event-loop delay sampled every 10 ms'],
  // Calibration: the crossover's own bias and noise, and what the default sampler's timer costs alone.
  ['express', 'toggling nothing (A/A check)'],
  ['express', "monitorEventLoopDelay alone, at start()'s resolution"],
  ['fastify', 'start()'],
  // Fastify's own A/A: its crossover read 1.028x with nothing switched (2026-12-06), as far from 1 as start()'s cost.
  ['fastify', 'toggling nothing (A/A check)'],
];
/** Crossovers (A on with B off, then A off with B on) per pair of processes. */
const CROSSOVERS = envNumber('BENCH_TOGGLE_CROSSOVERS', 6, { integer: true });
/** Fresh pairs of processes per case. */
const PROCESSES = envNumber('BENCH_TOGGLE_PROCESSES', 3, { integer: true });

const loads: number[] = [];

/** A toggled service process and the load that runs on it throughout. */
interface Loaded {
  service: Service;
  load: SteadyLoad;
}

/** Switches `on` on and `off` off, lets both settle under load, then measures both over the same seconds. */
async function round(on: Loaded, off: Loaded): Promise<[on: Sample, off: Sample]> {
  await Promise.all([toggle(on.service.child, true), toggle(off.service.child, false)]);
  await sleep(SWITCHED.settleSeconds * 1000);
  loads.push(loadavg()[0]!);
  return Promise.all([on.load.measure(SWITCHED.seconds), off.load.measure(SWITCHED.seconds)]);
}

async function launchLoaded(framework: string, variant: string): Promise<Loaded> {
  const service = await launch(framework, variant, PATHS[framework], { toggled: true });
  return { service, load: new SteadyLoad(service, SWITCHED.connections) };
}

type Measure = 'rps' | 'cpuMicros' | 'userMicros';
type Ratios = Record<Measure, number>;

/** One crossover's ratio of on to off for each measure: the geometric mean of its two rounds' ratios, free of either process's speed. */
function crossover([aOn, bOff]: [Sample, Sample], [bOn, aOff]: [Sample, Sample]): Ratios {
  const ratio = (key: Measure): number => Math.sqrt((aOn[key] / bOff[key]) * (bOn[key] / aOff[key]));
  return { rps: ratio('rps'), cpuMicros: ratio('cpuMicros'), userMicros: ratio('userMicros') };
}

interface Measured {
  ratios: Ratios[];
  on: Sample[];
  off: Sample[];
}

async function measure(framework: string, variant: string): Promise<Measured> {
  const measured: Measured = { ratios: [], on: [], off: [] };
  for (let set = 0; set < PROCESSES; set++) {
    const a = await launchLoaded(framework, variant);
    let b: Loaded | undefined;
    try {
      b = await launchLoaded(framework, variant);
      await round(a, b);
      await sleep((SWITCHED.warmupSeconds / 2) * 1000);
      await round(b, a);
      await sleep((SWITCHED.warmupSeconds / 2) * 1000);
      for (let i = 0; i < CROSSOVERS; i++) {
        // Which process is on first alternates, so neither is always measured just after a switch on.
        const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
        const one = await round(first, second);
        const two = await round(second, first);
        measured.ratios.push(crossover(one, two));
        measured.on.push(one[0], two[0]);
        measured.off.push(one[1], two[1]);
      }
    } finally {
      // Both stopped even when the second failed to start.
      const started = b === undefined ? [a] : [a, b];
      await Promise.all(started.map(({ load }) => load.stop()));
      for (const { service } of started) service.child.kill('SIGTERM');
    }
  }
  return measured;
}

/** The 90% bootstrap interval of the median ratio. */
function interval(values: number[]): string {
  const [low, high] = medianInterval(values);
  return `${low.toFixed(3)}-${high.toFixed(3)}x`;
}

function row(framework: string, variant: string, { ratios, on, off }: Measured): string[] {
  const of = (key: Measure): number[] => ratios.map((ratio) => ratio[key]);
  return [
    `${framework} (\`${PATHS[framework]}\`), ${variant}`,
    fmt(median(off.map((sample) => sample.rps))),
    loss(median(of('rps'))),
    ((low, high) => `${loss(high)} to ${loss(low)}`)(...medianInterval(of('rps'))),
    fmt(median(off.map((sample) => sample.cpuMicros)), 2),
    fmt(median(on.map((sample) => sample.cpuMicros)), 2),
    `${median(of('cpuMicros')).toFixed(3)}x`,
    interval(of('cpuMicros')),
    `${median(of('userMicros')).toFixed(3)}x`,
  ];
}

/** Server CPU per request and throughput with start() on against off, as a crossover of two processes. */
export async function run(): Promise<string> {
  const only = process.env['BENCH_FRAMEWORKS']?.split(',');
  const variants = process.env['BENCH_TOGGLE_VARIANTS']?.split('|');
  // Both named: every named variant on every named framework (Express with http: false, say), not only the listed cases.
  const cases =
    only !== undefined && variants !== undefined
      ? only.flatMap((framework) => variants.map((variant): [string, string] => [framework, variant]))
      : CASES.filter(
          ([framework, variant]) => only?.includes(framework) !== false && variants?.includes(variant) !== false,
        );
  const unknown = cases.find(([framework]) => !(framework in PATHS));
  if (unknown !== undefined)
    throw new Error(`BENCH_FRAMEWORKS: no service ${unknown[0]}; use ${Object.keys(PATHS).join(', ')}`);
  const rows: string[][] = [];
  for (const [framework, variant] of cases) rows.push(row(framework, variant, await measure(framework, variant)));
  return [
    '### @agentmeter/node: start() on against off, crossover of two processes',
    '',
    `Two processes of each service run the variant's start(), and shut it down or start it again between rounds ` +
      `(handle.shutdown() unsubscribes the channels and stops the timers: a stopped start() runs nothing per request). ` +
      `Each process is loaded without a break by an autocannon of its own (${SWITCHED.connections} connections, loopback), on the same ` +
      `connections from launch to the end (a new connection deoptimizes functions of Node's HTTP server, in a bare service too). ` +
      `In each round one process is on and the other off, both measured over the same ${SWITCHED.seconds} s after ${SWITCHED.settleSeconds} s ` +
      `of unmeasured load; the next round swaps them. A crossover's ` +
      `ratio is the geometric mean of its two rounds' on/off ratios, so neither process's speed (what V8 inlined in it) nor the ` +
      `machine's speed in those seconds enters it. ${CROSSOVERS} crossovers in each of ${PROCESSES} pairs of processes, after a ` +
      `${SWITCHED.warmupSeconds}-second warm-up in which each process ran on and off. Ratios are medians over crossovers; each "90% interval" is the ` +
      `percentile-bootstrap interval of its median (how far the median would move in another run on an equally noisy ` +
      `machine), and a target counts as met only when the whole interval meets it. Fastify's route wrapper (instrumentFastify) and Express's route patch stay ` +
      `installed while start() is off, as in an application, and cost the off side a property check per request. ` +
      `The A/A rows switch nothing (on and off are the same work): their ratios are the bench's own bias and noise. ` +
      `Load average (1 minute): ${fmt(Math.min(...loads), 1)} to ${fmt(Math.max(...loads), 1)}.`,
    '',
    table(
      [
        'service, variant',
        'req/s off',
        'throughput loss',
        'throughput loss, 90% interval',
        'CPU µs/request off',
        'CPU µs/request on',
        'CPU on vs off',
        'CPU on vs off, 90% interval',
        'user CPU on vs off',
      ],
      rows,
    ),
  ].join('\n');
}
