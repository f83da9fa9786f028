import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from './tools.ts';

/** A free loopback port (bound and released; the short race is acceptable in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** A real Prometheus on 127.0.0.1, started with a given config and stopped by PID. */
export class PrometheusServer {
  readonly url: string;
  readonly #process: ChildProcess;
  readonly #directory: string;
  #log = '';

  private constructor(url: string, child: ChildProcess, directory: string) {
    this.url = url;
    this.#process = child;
    this.#directory = directory;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#log = (this.#log + chunk.toString()).slice(-20_000);
    });
  }

  static async start(config: string, flags: readonly string[] = []): Promise<PrometheusServer> {
    const binary = requireTool('prometheus');
    const directory = mkdtempSync(join(tmpdir(), 'agentmeter-prometheus-'));
    writeFileSync(join(directory, 'prometheus.yml'), config);
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${join(directory, 'prometheus.yml')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--storage.tsdb.path=${join(directory, 'data')}`,
        ...flags,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const server = new PrometheusServer(`http://127.0.0.1:${port}`, child, directory);
    await server.waitFor(async () => (await fetch(`${server.url}/-/ready`)).ok, 'Prometheus to become ready');
    return server;
  }

  /** Polls until `condition` holds, at most `timeoutMs`; fails with Prometheus's log tail otherwise. */
  async waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#process.exitCode !== null)
        throw new Error(`Prometheus exited while waiting for ${what}:\n${this.#log}`);
      try {
        if (await condition()) return;
      } catch {
        // Not up yet.
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; Prometheus log:\n${this.#log.slice(-4000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async api(path: string, params: Record<string, string>): Promise<unknown> {
    const response = await fetch(`${this.url}/api/v1/${path}?${new URLSearchParams(params)}`);
    const body = (await response.json()) as { status: string; data: unknown; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path} failed: ${body.error}`);
    return body.data;
  }

  /** The value of an instant query, when it returns exactly one sample. */
  async scalar(query: string): Promise<number | undefined> {
    const data = (await this.api('query', { query })) as { result: { value: [number, string] }[] };
    return data.result.length === 1 ? Number(data.result[0]!.value[1]) : undefined;
  }

  get log(): string {
    return this.#log;
  }

  async stop(): Promise<void> {
    const child = this.#process;
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const pid = child.pid;
      process.kill(pid, 'SIGTERM');
      const force = setTimeout(() => process.kill(pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(force);
    }
    rmSync(this.#directory, { recursive: true, force: true });
  }
}
