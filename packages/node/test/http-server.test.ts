import { createRequire } from 'node:module';
import { Agent, createServer, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentFastify, instrumentHono, setHttpRoute, start } from '../src/index.ts';
import type { AgentMeterHandle } from '../src/index.ts';
import { close, listen, samples, scrape } from './helpers.ts';
import { abortMidResponse, closeEach, delta, endless, keepAlive, labels, series, viaAgent } from './http-requests.ts';

let handle: AgentMeterHandle;
beforeAll(async () => {
  handle = start({ prometheus: { host: '127.0.0.1', port: 0 }, runtime: false, hostMetrics: false });
  await handle.ready;
});
afterAll(() => handle.shutdown());

const DURATION = 'http_server_request_duration_seconds_count';

/** One app per framework, with the same four routes under its own prefix. */
interface App {
  port: number;
  /** Resolves once the server saw the aborted /stream request's connection close. */
  streamClosed: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The same traffic for every framework: 5 successful requests to a route with a parameter
 * (3 keep-alive, 2 on connections of their own), 2 unmatched (404), 1 handler that throws
 * and 1 client that drops the connection mid-response: 9 requests.
 */
async function drive(app: App, prefix: string): Promise<Record<string, number>> {
  const before = series(await scrape(handle.prometheusUrl!), DURATION);
  const statuses = [
    await keepAlive(app.port, `${prefix}/items/1`),
    await keepAlive(app.port, `${prefix}/items/2?q=secret`),
    await keepAlive(app.port, `${prefix}/items/3`),
    await closeEach(app.port, `${prefix}/items/4`),
    await closeEach(app.port, `${prefix}/items/5`),
    await keepAlive(app.port, `${prefix}/missing/1`),
    await closeEach(app.port, `${prefix}/missing/2`),
    await keepAlive(app.port, `${prefix}/boom`),
  ];
  expect(statuses).toEqual([200, 200, 200, 200, 200, 404, 404, 500]);
  await abortMidResponse(app.port, `${prefix}/stream`);
  await app.streamClosed;
  const text = await scrape(handle.prometheusUrl!);
  expect(text).not.toContain('secret');
  expect(text).not.toMatch(/http_route="[^"]*(missing|items\/\d)/);
  // Every in-flight count is back at zero.
  expect(inFlight(text)).toEqual([]);
  await app.stop();
  return delta(before, series(text, DURATION));
}

/** The http.server.active_requests values that are not zero: requests still counted in flight. */
function inFlight(text: string): number[] {
  return samples(text, 'http_server_active_requests')
    .map(([, value]) => value)
    .filter((value) => value !== 0);
}

/** The label set of a plain GET answered 200 on `route`. */
function ok(route: string): string {
  return labels({
    http_request_method: 'GET',
    network_protocol_version: '1.1',
    url_scheme: 'http',
    http_response_status_code: '200',
    http_route: route,
  });
}

function expected(prefix: string): Record<string, number> {
  const base = { http_request_method: 'GET', network_protocol_version: '1.1', url_scheme: 'http' };
  return {
    [labels({ ...base, http_response_status_code: '200', http_route: `${prefix}/items/:id` })]: 5,
    [labels({ ...base, http_response_status_code: '404' })]: 2,
    [labels({ ...base, http_response_status_code: '500', http_route: `${prefix}/boom`, error_type: '500' })]: 1,
    [labels({ ...base, http_response_status_code: '200', http_route: `${prefix}/stream`, error_type: 'aborted' })]: 1,
  };
}

describe('server metrics from node:diagnostics_channel: exact counts, routes, statuses, errors', () => {
  it('node:http with setHttpRoute(req, route)', async () => {
    const stream = endless();
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      try {
        if (path.startsWith('/plain/items/')) {
          setHttpRoute(request, '/plain/items/:id');
          response.end('item');
        } else if (path === '/plain/boom') {
          setHttpRoute(request, '/plain/boom');
          throw new Error('boom');
        } else if (path === '/plain/stream') {
          setHttpRoute(response, '/plain/stream');
          stream.start(response);
        } else {
          response.statusCode = 404;
          response.end();
        }
      } catch {
        response.statusCode = 500;
        response.end();
      }
    });
    const port = await listen(server);
    expect(await drive({ port, streamClosed: stream.closed, stop: () => close(server) }, '/plain')).toEqual(
      expected('/plain'),
    );
  });

  it('Express 5: route templates without spans, nested routers included', async () => {
    const express = createRequire(import.meta.url)('express') as typeof import('express');
    const stream = endless();
    const app = express();
    app.set('env', 'test'); // no stack traces on stderr for the throwing handler
    const items = express.Router();
    items.get('/:id', (_request, response) => void response.send('item'));
    app.use('/express/items', items);
    app.get('/express/boom', () => {
      throw new Error('boom');
    });
    app.get('/express/stream', (_request, response) => stream.start(response));
    const server = app.listen(0, '127.0.0.1') as Server;
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    expect(await drive({ port, streamClosed: stream.closed, stop: () => close(server) }, '/express')).toEqual(
      expected('/express'),
    );
  });

  it('Fastify through instrumentFastify', async () => {
    const stream = endless();
    const app = instrumentFastify(Fastify());
    app.get('/fastify/items/:id', async () => 'item');
    app.get('/fastify/boom', async () => {
      throw new Error('boom');
    });
    app.get('/fastify/stream', (_request, reply) => {
      reply.hijack();
      stream.start(reply.raw);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    expect(await drive({ port, streamClosed: stream.closed, stop: () => app.close() }, '/fastify')).toEqual(
      expected('/fastify'),
    );
  });

  it('Hono through instrumentHono', async () => {
    const app = instrumentHono(new Hono());
    app.get('/hono/items/:id', (c) => c.text('item'));
    app.get('/hono/boom', () => {
      throw new Error('boom');
    });
    // A body that never ends: the client drops the connection after the first bytes.
    app.get('/hono/stream', (c) => {
      return c.body(
        new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode('partial')) }),
      );
    });
    app.onError((_error, c) => c.text('failed', 500));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    const closed = new Promise<void>((resolve) =>
      server.on('request', (request, response) => {
        if (request.url === '/hono/stream') response.on('close', () => setImmediate(resolve));
      }),
    );
    expect(await drive({ port, streamClosed: closed, stop: () => close(server) }, '/hono')).toEqual(expected('/hono'));
  });

  it('counts pipelined requests on one connection, each once and with its own route', async () => {
    const server = createServer((request, response) => {
      // The second is routed while the first is still in flight: each route goes to its own request.
      setHttpRoute(request, request.url === '/pipelined/1' ? '/pipelined/first/:n' : '/pipelined/second/:n');
      // The first answers last, so the second waits queued behind it.
      setTimeout(() => response.end('ok'), request.url === '/pipelined/1' ? 20 : 0);
    });
    const port = await listen(server);
    const before = series(await scrape(handle.prometheusUrl!), DURATION);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'GET /pipelined/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /pipelined/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        );
      });
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += String(chunk)));
      socket.on('error', reject);
      socket.on('close', () => (received.split('HTTP/1.1 200').length === 3 ? resolve() : reject(new Error(received))));
    });
    const text = await scrape(handle.prometheusUrl!);
    expect(delta(before, series(text, DURATION))).toEqual({
      [ok('/pipelined/first/:n')]: 1,
      [ok('/pipelined/second/:n')]: 1,
    });
    expect(inFlight(text)).toEqual([]);
    await close(server);
  });

  it('leaves out a ServerResponse that the application builds for a request that already finished', async () => {
    const server = createServer((request, response) => {
      setHttpRoute(request, '/after/:n');
      // Built once the real response finished: without the check it took the connection's in-flight slot.
      response.on('finish', () => void new ServerResponse(request));
      response.end('ok');
    });
    const port = await listen(server);
    const before = series(await scrape(handle.prometheusUrl!), DURATION);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (const n of [1, 2, 3]) expect(await viaAgent(agent, port, `/after/${n}`)).toBe(200);
    expect(inFlight(await scrape(handle.prometheusUrl!))).toEqual([]);
    // Closing the connection cuts nothing off: three requests, none aborted.
    agent.destroy();
    await close(server);
    const text = await scrape(handle.prometheusUrl!);
    expect(delta(before, series(text, DURATION))).toEqual({ [ok('/after/:n')]: 3 });
  });

  it('leaves out a second ServerResponse that the application builds for a request in flight', async () => {
    const server = createServer((request, response) => {
      setHttpRoute(request, '/twice/:n');
      // Application code (a renderer, a mock) builds a response of its own for the request; node:http never finishes it.
      const extra = new ServerResponse(request);
      extra.statusCode = 204;
      response.end('ok');
    });
    const port = await listen(server);
    const before = series(await scrape(handle.prometheusUrl!), DURATION);
    const sockets: Socket[] = [];
    server.on('connection', (socket: Socket) => sockets.push(socket));
    // One keep-alive connection for the three requests.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const one = (path: string): Promise<number> => viaAgent(agent, port, path);
    for (const n of [1, 2, 3]) expect(await one(`/twice/${n}`)).toBe(200);
    // The keep-alive connection is still open: nothing is left in flight on it.
    expect(sockets.filter((socket) => !socket.destroyed)).toHaveLength(1);
    const open = await scrape(handle.prometheusUrl!);
    expect(inFlight(open)).toEqual([]);
    // And closing it cuts nothing off: the three requests, each once, none aborted.
    agent.destroy();
    await close(server);
    const text = await scrape(handle.prometheusUrl!);
    expect(delta(before, series(text, DURATION))).toEqual({ [ok('/twice/:n')]: 3 });
  });
});
