// A bench service process (http-service.ts) and its CPU time, read over IPC.
import { spawn } from 'node:child_process';
import { seededRandom } from '@agentmeter/provider-sim';
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVICE = fileURLToPath(new URL('./http-service.ts', import.meta.url));

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
  const args = [process.execPath, ...nodeArgs, '--conditions=@agentmeter/source', SERVICE, framework, variant];
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

/** A process's CPU time so far, in microseconds: user + system, and user alone. */
export interface CpuTimes {
  cpuMicros: number;
  userMicros: number;
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

/** What one load run measured: CPU figures are per request. */
export interface Sample {
  rps: number;
  p99: number;
  requests: number;
  /** User + system CPU per request: robust to a busy machine, unlike throughput. */
  cpuMicros: number;
  /** User CPU per request: JavaScript, V8 and libuv, without the kernel's loopback TCP work. */
  userMicros: number;
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
