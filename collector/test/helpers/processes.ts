import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findTool } from './tools.ts';

/** A free TCP port on the loopback (bound once, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * `count` consecutive free TCP ports on the loopback, returning the first: for a server that derives
 * ports from a base (`base + 1`, `base + 2`). Taken below Linux's ephemeral range (32768 and up), so
 * no outgoing connection of a test running alongside is given one of them before the server binds it.
 */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (32_000 - 20_000 - count));
    const bound = await Promise.all(
      Array.from({ length: count }, (_, i) => {
        const server = createServer();
        return new Promise<typeof server | undefined>((resolve) => {
          server.once('error', () => resolve(undefined));
          server.listen(base + i, '127.0.0.1', () => resolve(server));
        });
      }),
    );
    await Promise.all(bound.map((server) => server && new Promise((resolve) => server.close(resolve))));
    if (bound.every((server) => server !== undefined)) return base;
  }
  throw new Error(`no ${count} consecutive free ports between 20000 and 32000`);
}

/** A temporary directory removed by `cleanup()`. */
export function tempDir(prefix: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), `agentmeter-${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A child process whose output is kept for error messages; `stop()` ends it by its handle. */
export interface Child {
  readonly process: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Child {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` with `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
}

/** Waits until a server's readiness URL answers 200; on failure stops it and fails with its output. */
export async function untilReady(
  what: string,
  url: string,
  headers: Record<string, string>,
  child: Child,
  dir: { cleanup: () => void },
): Promise<void> {
  try {
    await waitFor(`${what} to be ready`, async () => ((await fetch(url, { headers })).ok ? true : undefined), 60_000);
  } catch (error) {
    await child.stop();
    dir.cleanup();
    throw new Error(`${String(error)}\n${child.output()}`, { cause: error });
  }
}

export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

/** A real Prometheus on the loopback, with its HTTP query API. */
export interface PrometheusServer {
  readonly url: string;
  readonly child: Child;
  /** An instant query, at `time` (Unix seconds) when given. */
  query(expr: string, time?: number): Promise<PromSample[]>;
  /** GET an API path (e.g. `/api/v1/rules`) and return its `data`. */
  api(path: string): Promise<unknown>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** A web config (YAML text), e.g. basic_auth_users, for --web.config.file. */
  readonly webConfig?: string;
  /** The Authorization header the test's own API calls send. */
  readonly authorization?: string;
  /** Listen on this port instead of a free one (to restart a stopped server in place). */
  readonly port?: number;
  /** Keep the TSDB here (kept after stop), so a restarted server has the earlier data. */
  readonly dataDir?: string;
  /** More command-line flags, e.g. `--web.enable-otlp-receiver`. */
  readonly flags?: readonly string[];
}

/** Starts Prometheus with the given config (YAML text) and waits until it is ready. */
export async function startPrometheus(config: string, options: PrometheusOptions = {}): Promise<PrometheusServer> {
  const dir = tempDir('prometheus');
  const port = options.port ?? (await freePort());
  writeFileSync(join(dir.path, 'prometheus.yml'), config);
  const extraArgs: string[] = [];
  if (options.webConfig !== undefined) {
    writeFileSync(join(dir.path, 'web.yml'), options.webConfig);
    extraArgs.push(`--web.config.file=${join(dir.path, 'web.yml')}`);
  }
  const headers: Record<string, string> =
    options.authorization === undefined ? {} : { authorization: options.authorization };
  const child = startChild(findTool('prometheus'), [
    `--config.file=${join(dir.path, 'prometheus.yml')}`,
    `--storage.tsdb.path=${options.dataDir ?? join(dir.path, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-remote-write-receiver',
    '--log.level=warn',
    ...extraArgs,
    ...(options.flags ?? []),
  ]);
  const url = `http://127.0.0.1:${port}`;
  await untilReady('Prometheus', `${url}/-/ready`, headers, child, dir);
  return {
    url,
    child,
    async query(expr: string, time?: number): Promise<PromSample[]> {
      const at = time === undefined ? '' : `&time=${time}`;
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}${at}`, { headers });
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: unknown };
      };
      if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error ?? response.status}`);
      const data = body.data!;
      if (data.resultType === 'scalar') {
        const [, value] = data.result as [number, string];
        return [{ metric: {}, value: Number(value) }];
      }
      return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
        metric: r.metric,
        value: Number(r.value[1]),
      }));
    },
    async api(path: string): Promise<unknown> {
      const body = (await (await fetch(`${url}${path}`, { headers })).json()) as {
        status: string;
        data?: unknown;
        error?: string;
      };
      if (body.status !== 'success') throw new Error(`${path} failed: ${body.error}`);
      return body.data;
    },
    async stop(): Promise<void> {
      await child.stop();
      dir.cleanup();
    },
  };
}
