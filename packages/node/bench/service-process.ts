// A bench service process (http-service.ts) and its CPU time, read over IPC.
import { spawn } from 'node:child_process';
import { seededRandom } from '@agentmeter/provider-sim';
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { envFlags, envNumber } from '../../../scripts/bench-kit.ts';

const SERVICE = fileURLToPath(new URL('./http-service.ts', import.meta.url));
/** Flags every service process gets, before a bench's own (`BENCH_NODE_ARGS='--single-threaded'`). */
const NODE_ARGS = envFlags('BENCH_NODE_ARGS');

/** The path each service answers with a small JSON body (Express and Fastify through a route template). */
export const PATHS: Record<string, string> = { 'node:http': '/', express: '/items/42', fastify: '/items/42' };

/** The services `BENCH_FRAMEWORKS` names (comma-separated), in PATHS's order; all of them when it is unset. */
export function frameworksToRun(): string[] {
  const all = Object.keys(PATHS);
  const only = process.env['BENCH_FRAMEWORKS']?.split(',');
  const unknown = only?.find((framework) => !all.includes(framework));
  if (unknown !== undefined) throw new Error(`BENCH_FRAMEWORKS: no service ${unknown}; use ${all.join(', ')}`);
  return all.filter((framework) => only?.includes(framework) !== false);
}

/**
 * Timing of the benches that switch a service's start() on and off under steady load: toggle's windows,
 * and the warm-up and connections capacity uses too (its windows are its own, shorter).
 */
export interface SwitchedTiming {
  readonly seconds: number;
  readonly settleSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
}

export const SWITCHED: SwitchedTiming = {
  /** Measured seconds per window. */
  seconds: envNumber('BENCH_TOGGLE_SECONDS', 2),
  /** Unmeasured seconds of load after each switch: V8 re-optimizes what the switch invalidated (node:http's channels change class). */
  settleSeconds: envNumber('BENCH_TOGGLE_SETTLE_SECONDS', 1),
  /** Warm-up per process, in two halves, so each has run both on and off before the first window. */
  warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 8),
  connections: 16,
};

export interface Service {
  child: ChildProcess;
  port: number;
  path: string;
}

export interface LaunchOptions {
  /** Takes on/off over IPC (see toggle). */
  readonly toggled?: boolean;
  /** Flags for the service's Node, e.g. --perf-basic-prof. */
  readonly nodeArgs?: readonly string[];
  /** A command that runs Node, e.g. valgrind and its flags: the service runs as `...wrapper node ...`. */
  readonly wrapper?: readonly string[];
}

/** Starts http-service.ts for one framework and variant, once it listens. */
export async function launch(
  framework: string,
  variant: string,
  path = '/',
  { toggled = false, nodeArgs = [], wrapper = [] }: LaunchOptions = {},
): Promise<Service> {
  // process.execPath: the workspace's Node 24.
  const args = [
    process.execPath,
    ...NODE_ARGS,
    ...nodeArgs,
    '--conditions=@agentmeter/source',
    SERVICE,
    framework,
    variant,
  ];
  if (toggled) args.push('toggled');
  const [command, ...rest] = [...wrapper, ...args];
  const child = spawn(command!, rest, {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim())));
    child.once('exit', (code) => reject(new Error(`service ${variant} exited with ${code}`)));
  });
  return { child, port, path };
}

/** A process's CPU time so far, in microseconds: user + system, and user alone; and the connections it accepted. */
export interface CpuTimes {
  cpuMicros: number;
  userMicros: number;
  connections: number;
  /** Requests counted by the service's own HTTP observer (only the observer-alone variant has one that runs). */
  observed: number;
}

export function cpuTimes(child: ChildProcess): Promise<CpuTimes> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as CpuTimes));
    child.send('cpu');
  });
}

/** The process's user + system CPU time so far, in microseconds. */
export async function cpuMicros(child: ChildProcess): Promise<number> {
  return (await cpuTimes(child)).cpuMicros;
}

/** Starts (on) or shuts down (off) a toggled service's start(), and waits until it has. */
export function toggle(child: ChildProcess, on: boolean): Promise<void> {
  return new Promise((resolve) => {
    child.once('message', () => resolve());
    child.send(on ? 'on' : 'off');
  });
}

/** What a window of load measured: CPU figures are per request. */
export interface Throughput {
  rps: number;
  requests: number;
  /** User + system CPU per request: robust to a busy machine, unlike throughput. */
  cpuMicros: number;
  /** User CPU per request: JavaScript, V8 and libuv, without the kernel's loopback TCP work. */
  userMicros: number;
}

/** The sides of an ABBA block's four windows (true: on). Blocks alternate which side comes first, so neither is always measured just after a switch. */
export function abbaOrder(block: number): boolean[] {
  return block % 2 === 0 ? [false, true, true, false] : [true, false, false, true];
}

/** An ABBA block: its on and off windows, and its on/off ratios of throughput and CPU per request. */
export interface Block<W extends Throughput> {
  on: W[];
  off: W[];
  /** Each the geometric mean of the block's two on/off ratios, so a steady drift across the block cancels. */
  rps: number;
  cpu: number;
  /** User CPU per request alone: JavaScript, V8 and libuv, without the kernel's loopback TCP work. */
  user: number;
}

export function abbaBlock<W extends Throughput>(order: boolean[], windows: W[]): Block<W> {
  const on = windows.filter((_, i) => order[i]);
  const off = windows.filter((_, i) => !order[i]);
  const ratio = (key: 'rps' | 'cpuMicros' | 'userMicros'): number =>
    Math.sqrt((on[0]![key] * on[1]![key]) / (off[0]![key] * off[1]![key]));
  return { on, off, rps: ratio('rps'), cpu: ratio('cpuMicros'), user: ratio('userMicros') };
}

/** What a window of load measured, and the CPU (share of a core) of the service and of its load generator. */
export interface Window extends Throughput {
  serviceCores: number;
  generatorCores: number;
}

/** The blocks of a series (one process's in capacity, one pair's in paired), and their windows. */
export interface AbbaSeries {
  /** Per block: on/off throughput and CPU per request, each the geometric mean of the block's two pairs of windows. */
  rps: number[];
  cpu: number[];
  /** Per block: on/off user CPU per request (see Block). */
  user: number[];
  on: Window[];
  off: Window[];
}

export const emptySeries = (): AbbaSeries => ({ rps: [], cpu: [], user: [], on: [], off: [] });

/** Measures one ABBA block, `window(side)` measuring a window with start() on (true) or off, and adds it to `series`. */
export async function addBlock(
  series: AbbaSeries,
  block: number,
  window: (on: boolean) => Promise<Window>,
): Promise<void> {
  const order = abbaOrder(block);
  const windows: Window[] = [];
  for (const side of order) windows.push(await window(side));
  const { rps, cpu, user, on, off } = abbaBlock(order, windows);
  series.rps.push(rps);
  series.cpu.push(cpu);
  series.user.push(user);
  series.on.push(...on);
  series.off.push(...off);
}

/**
 * The windows of capacity and paired: half a second after a quarter of settling, so an ABBA block
 * lasts 3 s, and the machine's speed, which drifts by 10-20% over a dozen seconds here, drifts less
 * within one (2 s windows gave Fastify an interval three times as wide).
 */
export const SHORT_WINDOW: { readonly seconds: number; readonly settleSeconds: number } = {
  seconds: envNumber('BENCH_CAPACITY_SECONDS', 0.5),
  settleSeconds: envNumber('BENCH_CAPACITY_SETTLE_SECONDS', 0.25),
};

/** Throughput loss (1 - on/off) for a ratio of throughputs, as a percentage. */
export const loss = (rps: number): string => `${((1 - rps) * 100).toFixed(1)}%`;

/** What one autocannon run measured. */
export interface Sample extends Throughput {
  p99: number;
}

/** Loads a service with autocannon for `seconds`; fails on any error or non-2xx answer. */
export async function load(service: Service, seconds: number, connections = 16): Promise<Sample> {
  const before = await cpuTimes(service.child);
  const result = await autocannon({
    url: `http://127.0.0.1:${service.port}${service.path}`,
    connections,
    duration: seconds,
  });
  const after = await cpuTimes(service.child);
  if (result.errors > 0 || result.non2xx > 0)
    throw new Error(`load run had ${result.errors} errors and ${result.non2xx} non-2xx answers`);
  const requests = result.requests.total;
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    requests,
    cpuMicros: (after.cpuMicros - before.cpuMicros) / requests,
    userMicros: (after.userMicros - before.userMicros) / requests,
  };
}

/** A day, in seconds: longer than any bench keeps a service (autocannon's stop timer must stay under 2^31 ms). */
const FOREVER_SECONDS = 86_400;

/**
 * Load that runs on one set of connections for as long as the service is measured: autocannon keeps
 * its connections open until stopped, and windows of it are measured by counting its responses. New
 * connections in the middle of a measurement deoptimize the functions of Node's HTTP server that
 * handle them (in a bare service too), and their recompilation would land in the window.
 */
export class SteadyLoad {
  readonly #service: Service;
  readonly #done: Promise<void>;
  readonly #instance: autocannon.Instance;
  readonly #connected: Promise<void>;
  #responses = 0;
  #failures = 0;

  constructor(service: Service, connections = 16) {
    this.#service = service;
    let finished!: () => void;
    this.#done = new Promise((resolve) => (finished = resolve));
    this.#instance = autocannon(
      { url: `http://127.0.0.1:${service.port}${service.path}`, connections, duration: FOREVER_SECONDS },
      () => finished(),
    );
    // Every connection has had an answer: each is open, so a window opens none.
    const answered = new Set<autocannon.Client>();
    let connected!: () => void;
    this.#connected = new Promise((resolve) => (connected = resolve));
    this.#instance.on('response', (client, statusCode) => {
      if (statusCode >= 200 && statusCode < 300) this.#responses++;
      else this.#failures++;
      if (answered.size < connections && answered.add(client).size === connections) connected();
    });
    // A failure ends the wait too: the next window reports it.
    this.#instance.on('reqError', () => {
      this.#failures++;
      connected();
    });
  }

  /** Measures the next `seconds` of load; fails if any request failed or answered other than 2xx since the last window. */
  async measure(seconds: number): Promise<Throughput> {
    await this.#connected;
    const before = await cpuTimes(this.#service.child);
    const [count, started] = [this.#responses, performance.now()];
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const after = await cpuTimes(this.#service.child);
    const [requests, elapsed] = [this.#responses - count, (performance.now() - started) / 1000];
    if (this.#failures > 0) throw new Error(`steady load had ${this.#failures} errors or non-2xx answers`);
    if (after.connections !== before.connections)
      throw new Error(`steady load opened ${after.connections - before.connections} connections during a window`);
    return {
      rps: requests / elapsed,
      requests,
      cpuMicros: (after.cpuMicros - before.cpuMicros) / requests,
      userMicros: (after.userMicros - before.userMicros) / requests,
    };
  }

  /** Stops the load and waits until its connections are closed. */
  stop(): Promise<void> {
    this.#instance.stop();
    return this.#done;
  }
}

/** The q-quantile of values, interpolated between the two nearest samples. */
export function quantile(values: number[], q: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (at - low);
}

export const median = (values: number[]): number => quantile(values, 0.5);

/**
 * The percentile-bootstrap interval of the median: the medians of `resamples` resamples (with
 * replacement) of values, cut at (1 - level) / 2 and (1 + level) / 2. How far the median could
 * move if the bench ran again on an equally noisy machine.
 */
export function medianInterval(values: number[], level = 0.9, resamples = 4000): [low: number, high: number] {
  // Seeded, so a run's report gives the same interval each time it is rendered.
  const random = seededRandom(values.length);
  const medians: number[] = [];
  for (let i = 0; i < resamples; i++) {
    medians.push(median(values.map(() => values[Math.floor(random() * values.length)]!)));
  }
  return [quantile(medians, (1 - level) / 2), quantile(medians, (1 + level) / 2)];
}
