import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { packageDir } from './helpers.ts';

/** fixtures/cluster-app.mjs: a node:cluster service; its primary prints JSON lines and takes commands on stdin. */
export class ClusterApp {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;
  stderr = '';

  constructor(env: Record<string, string>) {
    this.#child = spawn(process.execPath, ['--conditions=@agentmeter/source', 'test/fixtures/cluster-app.mjs'], {
      cwd: packageDir,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk));
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
  }

  async next(): Promise<Record<string, unknown>> {
    const line = await this.#lines.next();
    if (line.done === true) throw new Error(`the cluster app ended early: ${this.stderr.slice(0, 2000)}`);
    return JSON.parse(line.value) as Record<string, unknown>;
  }

  async command(line: 'kill' | 'retire' | 'fork'): Promise<Record<string, unknown>> {
    this.#child.stdin.write(`${line}\n`);
    return this.next();
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin.write('exit\n');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
