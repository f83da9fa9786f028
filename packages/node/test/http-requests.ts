import { get } from 'node:http';
import type { Agent, ServerResponse } from 'node:http';
import { samples } from './helpers.ts';

/** One request over fetch's keep-alive pool; resolves with the status once the body is read. */
export async function keepAlive(port: number, path: string, method = 'GET'): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  await response.arrayBuffer();
  return response.status;
}

/** One request on a connection of its own, closed after the response (no keep-alive). */
export function closeEach(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (response) => {
      response.resume().on('end', () => resolve(response.statusCode ?? 0));
    }).on('error', reject);
  });
}

/** One request over `agent` (a keep-alive agent, say, whose one connection carries a test's requests). */
export function viaAgent(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent }, (response) => {
      response.resume().on('end', () => resolve(response.statusCode ?? 0));
    }).on('error', reject);
  });
}

/** Reads the response head and the first body bytes, then drops the connection mid-response. */
export function abortMidResponse(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      response.once('data', () => {
        request.destroy();
        resolve();
      });
    });
    request.on('error', (error) => {
      if (!request.destroyed) reject(error);
    });
  });
}

/** A response that never finishes; `closed` resolves once the server saw its connection close. */
export function endless(): { closed: Promise<void>; start(response: ServerResponse): void } {
  let signal!: () => void;
  const closed = new Promise<void>((resolve) => (signal = resolve));
  return {
    // After every 'close' listener ran (agentmeter's included), one turn later.
    closed: closed.then(() => new Promise<void>((resolve) => setImmediate(resolve))),
    start(response) {
      response.on('close', signal);
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('partial');
    },
  };
}

/** Every sample of `name` as `labels JSON -> value`, scope labels left out (they name the library, not the request). */
export function series(text: string, name: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const [sampleLabels, count] of samples(text, name)) {
    const own = Object.fromEntries(
      Object.entries(sampleLabels)
        .filter(([key]) => !key.startsWith('otel_scope_'))
        .toSorted(([a], [b]) => a.localeCompare(b)),
    );
    result.set(JSON.stringify(own), count);
  }
  return result;
}

/** The series whose value changed between two scrapes, with the change. */
export function delta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const [key, value] of after) if (value !== (before.get(key) ?? 0)) changed[key] = value - (before.get(key) ?? 0);
  return changed;
}

/** The labels JSON `series()` produces for these labels. */
export function labels(given: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(given).toSorted(([a], [b]) => a.localeCompare(b))));
}
