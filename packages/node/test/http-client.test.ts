import { createServer, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from '../src/index.ts';
import type { AgentMeterHandle } from '../src/index.ts';
import { close, listen, scrape } from './helpers.ts';
import { closeEach, delta, keepAlive, labels, series } from './http-requests.ts';

let handle: AgentMeterHandle;
beforeAll(async () => {
  handle = start({ prometheus: { host: '127.0.0.1', port: 0 }, runtime: false, hostMetrics: false });
  await handle.ready;
});
afterAll(() => handle.shutdown());

const DURATION = 'http_client_request_duration_seconds_count';

/** The series of requests to one port (the test's own scrapes go to another). */
function toPort(changed: Record<string, number>, port: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(changed).filter(
      ([key]) => (JSON.parse(key) as Record<string, string>)['server_port'] === String(port),
    ),
  );
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

function failingRequest(port: number): Promise<string> {
  return new Promise((resolve) => {
    request({ host: '127.0.0.1', port, path: '/', agent: false })
      .on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? ''))
      .end();
  });
}

describe('client metrics from node:http and undici (fetch) diagnostics channels', () => {
  it('counts every fetch and node:http request exactly, with status and error.type', async () => {
    const server = createServer((incoming, response) => {
      response.statusCode = incoming.url === '/fail' ? 503 : 200;
      response.end('body');
    });
    const port = await listen(server);
    const refused = await closedPort();
    const before = series(await scrape(handle.prometheusUrl!), DURATION);

    for (let i = 0; i < 3; i++) expect(await keepAlive(port, '/ok')).toBe(200);
    expect(await keepAlive(port, '/fail', 'POST')).toBe(503);
    expect(await closeEach(port, '/ok')).toBe(200);
    expect(await closeEach(port, '/ok?page=2')).toBe(200);
    await expect(fetch(`http://127.0.0.1:${refused}/`)).rejects.toThrow();
    expect(await failingRequest(refused)).toBe('ECONNREFUSED');

    const after = series(await scrape(handle.prometheusUrl!), DURATION);
    const target = { server_address: '127.0.0.1', server_port: String(port), url_scheme: 'http' };
    expect(toPort(delta(before, after), port)).toEqual({
      // fetch: undici does not say which HTTP version it spoke, so there is no network_protocol_version.
      [labels({ ...target, http_request_method: 'GET', http_response_status_code: '200' })]: 3,
      [labels({
        ...target,
        http_request_method: 'POST',
        http_response_status_code: '503',
        error_type: 'server_error',
      })]: 1,
      [labels({
        ...target,
        http_request_method: 'GET',
        http_response_status_code: '200',
        network_protocol_version: '1.1',
      })]: 2,
    });
    expect(toPort(delta(before, after), refused)).toEqual({
      [labels({
        server_address: '127.0.0.1',
        server_port: String(refused),
        url_scheme: 'http',
        http_request_method: 'GET',
        error_type: 'connection',
      })]: 2,
    });
    await close(server);
  });
});
