import { Agent, createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHttp } from '../src/http.ts';
import type { HttpSetup } from '../src/http.ts';
import { setHttpRoute, start } from '../src/index.ts';
import { close, listen, samples, scrape } from './helpers.ts';
import { labels, series, viaAgent } from './http-requests.ts';

const DURATION = 'http_server_request_duration_seconds_count';

/** A server whose /slow answers only once `release()` is called (`slowArrived` resolves as it arrives), and /fast at once; `sockets` are the connections it accepted. */
function slowAndFast(): { server: Server; slowArrived: Promise<void>; release: () => void; sockets: Socket[] } {
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
  const sockets: Socket[] = [];
  server.on('connection', (socket: Socket) => sockets.push(socket));
  return { server, slowArrived, release, sockets };
}

describe('shutdown() and start() again while keep-alive connections stay open', () => {
  it('the new start() counts only its own requests, and nothing an earlier one left in flight', async () => {
    const { server, slowArrived, release, sockets } = slowAndFast();
    const port = await listen(server);
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
    const { server, port, agent, http, release, slow } = await stoppedWithSlowInFlight();
    try {
      // /slow finishes while no subscription is live: its finish is never seen.
      release();
      expect(await slow).toBe(200);
      http.start();
      for (let i = 0; i < 3; i++) expect(await viaAgent(agent, port, '/fast')).toBe(200);
      expect(active(http)).toEqual([0]);
      expect(counts(http)).toEqual([['/fast', 3]]);
    } finally {
      http.stop();
      agent.destroy();
      await close(server);
    }
  });

  it('a connection that closed while it was unsubscribed stops counting as active', async () => {
    const { server, port, agent, http, release, slow, sockets } = await stoppedWithSlowInFlight();
    try {
      // The client drops the connection while no subscription is live: nothing records it.
      const closed = new Promise((resolve) => sockets[0]!.once('close', () => setImmediate(resolve)));
      agent.destroy();
      await closed;
      await slow;
      release();
      http.start();
      expect(await viaAgent(new Agent(), port, '/fast')).toBe(200);
      expect(active(http)).toEqual([0]);
      expect(counts(http)).toEqual([['/fast', 1]]);
    } finally {
      http.stop();
      await close(server);
    }
  });
});

/** An observer started, /slow sent over a one-connection keep-alive agent, and the observer stopped with /slow in flight. */
async function stoppedWithSlowInFlight(): Promise<
  ReturnType<typeof slowAndFast> & { port: number; agent: Agent; http: HttpSetup; slow: Promise<number> }
> {
  const fixture = slowAndFast();
  const port = await listen(fixture.server);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const http = observer();
  http.start();
  const slow = viaAgent(agent, port, '/slow').catch(() => 0);
  await fixture.slowArrived;
  http.stop();
  return { ...fixture, port, agent, http, slow };
}

/** An HTTP observer as start() builds it, alone (no SDK), for the server side only. */
function observer(): HttpSetup {
  return createHttp(
    { client: false },
    { tracing: false, express: false, exemplars: false, seriesLimit: 100, isOwnRequest: () => false },
  );
}

const active = (http: HttpSetup): number[] => [...http.metrics.activeRequests.handles()].map((cell) => cell.value);
const counts = (http: HttpSetup): [unknown, number][] =>
  [...http.metrics.serverDuration.handles()].map((cell) => [cell.attributes['http.route'], cell.count]);
