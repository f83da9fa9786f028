// Load on a service from a generator process that can be paused: two services, each with its own
// connections open from launch to the end, loaded one at a time.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { LoadCount } from './load-process.ts';
import { cpuTimes } from './service-process.ts';
import type { Service, Window } from './service-process.ts';

const GENERATOR = fileURLToPath(new URL('./load-process.ts', import.meta.url));

function count(child: ChildProcess): Promise<LoadCount> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as LoadCount));
    child.send('count');
  });
}

/**
 * An autocannon in a child process on one set of connections: `pause()` stops it (SIGSTOP), so its
 * service idles with the connections open, and `resume()` lets it go on. Windows are measured only
 * while it runs. A pause must stay under the service's keep-alive timeout (5 s in node:http), or the
 * service closes the connections, which the next window reports.
 */
export class PausableLoad {
  readonly #service: Service;
  readonly #child: ChildProcess;
  #paused = false;

  constructor(service: Service, connections = 16) {
    this.#service = service;
    const url = `http://127.0.0.1:${service.port}${service.path}`;
    // The bench's own Node (the workspace's Node 24), with the generator's TypeScript stripped.
    this.#child = fork(GENERATOR, [url, String(connections)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  }

  /** Waits until every connection has had an answer, so no window opens one. */
  async connected(): Promise<void> {
    while (!(await count(this.#child)).connected) await sleep(20);
  }

  pause(): void {
    if (!this.#paused) this.#child.kill('SIGSTOP');
    this.#paused = true;
  }

  resume(): void {
    if (this.#paused) this.#child.kill('SIGCONT');
    this.#paused = false;
  }

  /** Measures the next `seconds` of load (resumed); fails on any failed or non-2xx answer, or a new connection. */
  async measure(seconds: number): Promise<Window> {
    if (this.#paused) throw new Error('PausableLoad.measure: resume() the load first');
    const [before, cpuBefore] = await Promise.all([count(this.#child), cpuTimes(this.#service.child)]);
    const started = performance.now();
    await sleep(seconds * 1000);
    const [after, cpuAfter] = await Promise.all([count(this.#child), cpuTimes(this.#service.child)]);
    const elapsed = (performance.now() - started) / 1000;
    if (after.failures > 0) throw new Error(`paused load had ${after.failures} errors or non-2xx answers`);
    if (cpuAfter.connections !== cpuBefore.connections)
      throw new Error(`paused load opened ${cpuAfter.connections - cpuBefore.connections} connections during a window`);
    const requests = after.responses - before.responses;
    return {
      generatorCores: (after.cpuMicros - before.cpuMicros) / 1e6 / elapsed,
      serviceCores: (cpuAfter.cpuMicros - cpuBefore.cpuMicros) / 1e6 / elapsed,
      rps: requests / elapsed,
      requests,
      cpuMicros: (cpuAfter.cpuMicros - cpuBefore.cpuMicros) / requests,
      userMicros: (cpuAfter.userMicros - cpuBefore.userMicros) / requests,
    };
  }

  /** Stops the generator (resumed first, so it can exit) and waits for it. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.resume();
    const exited = once(this.#child, 'exit');
    this.#child.disconnect();
    await exited;
  }
}
