import { Agent, createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHttp } from '../src/http.ts';
import { setHttpRoute, start } from '../src/index.ts';
import { close, listen, samples, scrape } from './helpers.ts';
import { labels, series, viaAgent } from './http-requests.ts';

const DURATION = 'http_server_request_duration_seconds_count';

/** A server whose /slow answers only once `release()` is called (`slowArrived` resolves as it arrives), and /fast at once. */
function slowAndFast(): { server: Server; slowArrived: Promise<void>; release: () => void } {
  let arrived!: () => void;
  const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = createServer((request, response) => {
    setHttpRoute(request, request.url === '/slow' ? '/slow' : '/fast');
    if (request.url !== '/slow') return void response.end('fast');
    arrived();
    void released.then(() => response.end('slow'));
  });
  return { server, slowArrived, release };
}

describe('shutdown() and start() again while keep-alive connections stay open', () => {
  it('the new start() counts only its own requests, and nothing an earlier one left in flight', async () => {
    const { server, slowArrived, release } = slowAndFast();
    const port = await listen(server);
    const sockets: Socket[] = [];
    server.on('connection', (socket: Socket) => sockets.push(socket));
    // One keep-alive connection carries every request, across both start() calls.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const one = (path: string): Promise<number> => viaAgent(agent, port, path);
    const options = { prometheus: { host: '127.0.0.1', port: 0 }, runtime: false, hostMetrics: false } as const;

    const first = start(options);
    await first.ready;
    const slow = one('/slow');
    await slowArrived;
    // Shut down with /slow in flight: its finish is never observed.
    await first.shutdown();
    release();
    expect(await slow).toBe(200);

    const second = start(options);
    try {
      await second.ready;
      expect(await one('/fast')).toBe(200);
      expect(await one('/fast')).toBe(200);
      expect(sockets).toHaveLength(1);
      const open = await scrape(second.prometheusUrl!);
      expect(samples(open, 'http_server_active_requests').filter(([, value]) => value !== 0)).toEqual([]);
      // Closing the connection cuts nothing off: /slow finished under the first start().
      const closed = new Promise((resolve) => sockets[0]!.once('close', () => setImmediate(resolve)));
      agent.destroy();
      await closed;
      const text = await scrape(second.prometheusUrl!);
      const fast = labels({
        http_request_method: 'GET',
        http_response_status_code: '200',
        http_route: '/fast',
        network_protocol_version: '1.1',
        url_scheme: 'http',
      });
      expect(Object.fromEntries(series(text, DURATION))).toEqual({ [fast]: 2 });
    } finally {
      await second.shutdown();
      await close(server);
    }
  });
});

describe('one HTTP observer unsubscribed and subscribed again', () => {
  it('drops what it left in flight: active_requests back at 0, later requests counted once each', async () => {
    const { server, slowArrived, release } = slowAndFast();
    const port = await listen(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const http = createHttp(
      { client: false },
      { tracing: false, express: false, exemplars: false, seriesLimit: 100, isOwnRequest: () => false },
    );
    try {
      http.start();
      const slow = viaAgent(agent, port, '/slow');
      await slowArrived;
      // Unsubscribed with /slow in flight on the connection: its finish is never seen.
      http.stop();
      release();
      expect(await slow).toBe(200);
      http.start();
      for (let i = 0; i < 3; i++) expect(await viaAgent(agent, port, '/fast')).toBe(200);
      const active = [...http.metrics.activeRequests.handles()].map((cell) => cell.value);
      expect(active).toEqual([0]);
      const counts = [...http.metrics.serverDuration.handles()].map((cell) => [
        cell.attributes['http.route'],
        cell.count,
      ]);
      expect(counts).toEqual([['/fast', 3]]);
    } finally {
      http.stop();
      agent.destroy();
      await close(server);
    }
  });
});
