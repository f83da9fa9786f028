// A bench service process (http-service.ts) and its CPU time, read over IPC.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVICE = fileURLToPath(new URL('./http-service.ts', import.meta.url));

export interface Service {
  child: ChildProcess;
  port: number;
  path: string;
}

/** Starts http-service.ts for one framework and variant, once it listens. */
export async function launch(framework: string, variant: string, path = '/'): Promise<Service> {
  // process.execPath: the workspace's Node 24.
  const child = spawn(process.execPath, ['--conditions=@agentmeter/source', SERVICE, framework, variant], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim())));
    child.once('exit', (code) => reject(new Error(`service ${variant} exited with ${code}`)));
  });
  return { child, port, path };
}

/** The process's user + system CPU time so far, in microseconds. */
export function cpuMicros(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve((message as { cpuMicros: number }).cpuMicros));
    child.send('cpu');
  });
}

/** The q-quantile of values, interpolated between the two nearest samples. */
export function quantile(values: number[], q: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (at - low);
}

export const median = (values: number[]): number => quantile(values, 0.5);
