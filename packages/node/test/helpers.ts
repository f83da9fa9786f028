import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';

/** Listens on an ephemeral loopback port and returns it. */
export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export async function scrape(url: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`scrape returned ${response.status}`);
  return response.text();
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!;
  return labels;
}

/** Every sample of `name` whose labels include `labels`, as [labels, value] pairs. */
export function samples(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): Array<[Record<string, string>, number]> {
  const found: Array<[Record<string, string>, number]> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const brace = line.indexOf('{');
    const end = line.lastIndexOf('}');
    const own = brace === name.length ? parseLabels(line.slice(brace + 1, end)) : {};
    if (Object.entries(labels).every(([key, wanted]) => own[key] === wanted)) {
      found.push([
        own,
        Number(
          line
            .slice((brace === name.length ? end : name.length) + 1)
            .trim()
            .split(' ')[0],
        ),
      ]);
    }
  }
  return found;
}

/** The one sample of `name` with `labels`; fails when there is none or more than one. */
export function value(text: string, name: string, labels: Record<string, string> = {}): number {
  const found = samples(text, name, labels);
  if (found.length !== 1) throw new Error(`expected one ${name} ${JSON.stringify(labels)}, found ${found.length}`);
  return found[0]![1];
}

/** Collects diag messages, for asserting on warnings. */
export function collectingLogger(): { messages: string[]; logger: import('@opentelemetry/api').DiagLogger } {
  const messages: string[] = [];
  const push = (message: string): void => {
    messages.push(message);
  };
  return { messages, logger: { error: push, warn: push, info: () => {}, debug: () => {}, verbose: () => {} } };
}

/** This package's folder, where the fixtures run. */
export const packageDir: string = fileURLToPath(new URL('..', import.meta.url));

/** Runs node (the workspace's Node 24) in this package's folder; killed after 45 s. */
export function runNode(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // process.execPath: the workspace's Node 24, not whatever `node` is on PATH.
    const child = spawn(process.execPath, args, {
      cwd: packageDir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Sends `count` GET requests, six at a time, and fails on any answer other than 200. */
export async function sendRequests(url: string, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < count) {
        next++;
        const response = await fetch(url);
        await response.text();
        if (response.status !== 200) throw new Error(`the app answered ${response.status}`);
      }
    }),
  );
}
