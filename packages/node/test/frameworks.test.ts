import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import { serve } from '@hono/node-server';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentFastify, instrumentHono, setHttpRoute, start } from '../src/index.ts';
import type { AgentMeterHandle } from '../src/index.ts';
import { close, listen, samples, scrape, value } from './helpers.ts';

let handle: AgentMeterHandle;
beforeAll(async () => {
  handle = start({ prometheus: { host: '127.0.0.1', port: 0 }, runtime: false, hostMetrics: false });
  await handle.ready;
});
afterAll(() => handle.shutdown());

async function hit(port: number, paths: string[]): Promise<void> {
  for (const path of paths) await (await fetch(`http://127.0.0.1:${port}${path}`)).arrayBuffer();
}

/** The http.route label of every server-duration series with its request count. */
function routes(text: string, status: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [labels, count] of samples(text, 'http_server_request_duration_seconds_count', {
    http_response_status_code: status,
  })) {
    result[labels['http_route'] ?? '(none)'] = (result[labels['http_route'] ?? '(none)'] ?? 0) + count;
  }
  return result;
}

/** An Express app and an instrumented Fastify app listening, each with one route: `${prefix}/express/:id`, `${prefix}/fastify/:id`. */
async function expressAndFastify(prefix: string): Promise<[Server, FastifyInstance]> {
  const express = createRequire(import.meta.url)('express') as typeof import('express');
  const app = express();
  app.get(`${prefix}/express/:id`, (_req, res) => void res.send('express'));
  const server = app.listen(0, '127.0.0.1') as Server;
  await new Promise((resolve) => server.once('listening', resolve));
  const fastify = instrumentFastify(Fastify());
  fastify.get(`${prefix}/fastify/:id`, async () => 'fastify');
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  return [server, fastify];
}

describe('http.route for real frameworks: templates, never raw paths', () => {
  it('labels Express routes (through @opentelemetry/instrumentation-express), nested routers included', async () => {
    // Loaded after start(), as a CommonJS app would; ESM apps use --import @agentmeter/node/register.
    const express = createRequire(import.meta.url)('express') as typeof import('express');
    const app = express();
    const router = express.Router();
    router.get('/:orderId', (_req, res) => void res.send('order'));
    app.use('/shops/:shopId/orders', router);
    app.get('/express/users/:id', (_req, res) => void res.json({ ok: true }));
    const server = app.listen(0, '127.0.0.1') as Server;
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    await hit(port, [
      '/express/users/1',
      '/express/users/2',
      '/express/users/abc?x=1',
      '/shops/7/orders/99',
      '/express/missing',
    ]);
    const text = await scrape(handle.prometheusUrl!);
    expect(routes(text, '200')).toMatchObject({ '/express/users/:id': 3, '/shops/:shopId/orders/:orderId': 1 });
    expect(
      value(text, 'http_server_request_duration_seconds_count', {
        http_response_status_code: '404',
        http_request_method: 'GET',
      }),
    ).toBe(1);
    expect(text).not.toMatch(/users\/(1|2|abc)"/);
    await close(server);
  });

  it('labels Fastify routes through instrumentFastify', async () => {
    const app = instrumentFastify(Fastify());
    app.get('/fastify/items/:itemId', async () => ({ ok: true }));
    app.get('/fastify/static', async () => 'static');
    // A callback-style handler: the wrapper hands it Fastify's reply and `this` (the instance) unchanged.
    app.post('/fastify/orders/:orderId', function (this: unknown, request, reply) {
      void reply.code(201).send({ id: (request.params as { orderId: string }).orderId, instance: this === app });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    await hit(port, ['/fastify/items/1', '/fastify/items/22', '/fastify/static', '/fastify/nothing/here']);
    const created = await fetch(`http://127.0.0.1:${port}/fastify/orders/9`, { method: 'POST' });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ id: '9', instance: true });
    const text = await scrape(handle.prometheusUrl!);
    expect(routes(text, '200')).toMatchObject({ '/fastify/items/:itemId': 2, '/fastify/static': 1 });
    expect(routes(text, '201')).toMatchObject({ '/fastify/orders/:orderId': 1 });
    expect(text).not.toContain('/fastify/items/22');
    expect(text).not.toContain('/fastify/nothing');
    await app.close();
  });

  it('leaves out fastify.inject(): a response built without a server connection is no request', async () => {
    const app = instrumentFastify(Fastify());
    app.get('/inject/items/:id', async () => ({ ok: true }));
    await app.ready();
    // light-my-request builds a real ServerResponse (node:http publishes http.server.response.created)
    // on a fake socket, and never finishes it through node:http's server.
    for (const id of ['1', '2', '3'])
      expect((await app.inject({ method: 'GET', url: `/inject/items/${id}` })).statusCode).toBe(200);
    const text = await scrape(handle.prometheusUrl!);
    expect(text).not.toContain('/inject/items');
    for (const [, active] of samples(text, 'http_server_active_requests')) expect(active).toBe(0);
    await app.close();
  });

  it('labels Hono routes through instrumentHono; unmatched requests get no route', async () => {
    const app = instrumentHono(new Hono());
    app.use('*', async (_c, next) => next());
    app.get('/hono/posts/:postId/comments/:commentId', (c) => c.text('comment'));
    app.post('/hono/posts', (c) => c.text('created', 201));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    await hit(port, ['/hono/posts/1/comments/2', '/hono/posts/3/comments/4', '/hono/unknown']);
    await (await fetch(`http://127.0.0.1:${port}/hono/posts`, { method: 'POST' })).text();
    const text = await scrape(handle.prometheusUrl!);
    expect(routes(text, '200')).toMatchObject({ '/hono/posts/:postId/comments/:commentId': 2 });
    expect(
      value(text, 'http_server_request_duration_seconds_count', {
        http_route: '/hono/posts',
        http_response_status_code: '201',
        http_request_method: 'POST',
      }),
    ).toBe(1);
    // One unmatched request each from the Express, Fastify and Hono tests, all without a route.
    expect(routes(text, '404')).toEqual({ '(none)': 3 });
    expect(text).not.toMatch(/http_route="[^"]*(\/1\/|unknown|\*)/);
    await close(server);
  });

  it('takes a route from setHttpRoute in a plain node:http handler, ignoring bad values', async () => {
    const server = createServer((request, response) => {
      setHttpRoute(request, 123 as never);
      setHttpRoute(request, '');
      setHttpRoute(request, 'x'.repeat(1000));
      setHttpRoute(request, 'no-leading-slash');
      if (request.url?.startsWith('/plain/')) setHttpRoute(response, '/plain/:slug');
      response.end('plain');
    });
    const port = await listen(server);
    await hit(port, ['/plain/a', '/plain/b']);
    const text = await scrape(handle.prometheusUrl!);
    expect(value(text, 'http_server_request_duration_seconds_count', { http_route: '/plain/:slug' })).toBe(2);
    expect(text).not.toContain('xxxxxxxxxx');
    setHttpRoute('/outside/a/request'); // no request: a no-op
    await close(server);
  });

  it('instrumentFastify and instrumentHono twice: one hook or middleware, each request labelled and counted once', async () => {
    const fastify = instrumentFastify(instrumentFastify(Fastify()));
    fastify.get('/twice/fastify/:id', async () => ({ ok: true }));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const hono = new Hono();
    expect(instrumentHono(instrumentHono(hono))).toBe(hono);
    // Hono lists each middleware it was given: instrumentHono added exactly one.
    expect(hono.routes.filter((route) => route.path === '/*' && route.method === 'ALL')).toHaveLength(1);
    hono.get('/twice/hono/:id', (c) => c.text('ok'));
    const server = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise((resolve) => server.once('listening', resolve));
    await hit((fastify.server.address() as { port: number }).port, ['/twice/fastify/1', '/twice/fastify/2']);
    await hit((server.address() as { port: number }).port, ['/twice/hono/1']);
    const text = await scrape(handle.prometheusUrl!);
    expect(routes(text, '200')).toMatchObject({ '/twice/fastify/:id': 2, '/twice/hono/:id': 1 });
    await fastify.close();
    await close(server);
  });

  it('keeps route templates off the request objects: the observer holds them, so no request changes hidden class', async () => {
    const [expressServer, fastify] = await expressAndFastify('/own');
    const hono = instrumentHono(new Hono());
    hono.get('/own/hono/:id', (c) => c.text('hono'));
    const honoServer = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise((resolve) => honoServer.once('listening', resolve));
    const plain = createServer((request, response) => {
      setHttpRoute(request, '/own/plain/:id');
      response.end('plain');
    });
    await listen(plain);
    const servers = [expressServer, fastify.server, honoServer, plain];
    // Each request's own symbol keys once its response finished, the route long written by then.
    const keys: string[][] = [];
    for (const server of servers)
      server.on('request', (request: object, response: ServerResponse) =>
        response.on('finish', () => keys.push(Object.getOwnPropertySymbols(request).map(String))),
      );
    for (const [i, server] of servers.entries()) {
      const name = ['express', 'fastify', 'hono', 'plain'][i];
      await hit((server.address() as { port: number }).port, [`/own/${name}/1`, `/own/${name}/2`]);
    }
    const text = await scrape(handle.prometheusUrl!);
    expect(routes(text, '200')).toMatchObject({
      '/own/express/:id': 2,
      '/own/fastify/:id': 2,
      '/own/hono/:id': 2,
      '/own/plain/:id': 2,
    });
    expect(keys).toHaveLength(8);
    expect(keys.flat().filter((key) => key.includes('agentmeter'))).toEqual([]);
    await fastify.close();
    await close(expressServer);
    await close(honoServer);
    await close(plain);
  });

  it('rejects things that are not apps', () => {
    expect(() => instrumentFastify({} as never)).toThrow(/Fastify instance/);
    expect(() => instrumentFastify(null as never)).toThrow(/Fastify instance/);
    expect(() => instrumentHono('app' as never)).toThrow(/Hono app/);
  });

  it('labels Express and Fastify routes again after shutdown() and a new start(), and none while stopped', async () => {
    const [server, fastify] = await expressAndFastify('/restart');
    const ports = [(server.address() as { port: number }).port, (fastify.server.address() as { port: number }).port];
    const both = async (id: string): Promise<void> => {
      await hit(ports[0]!, [`/restart/express/${id}`]);
      await hit(ports[1]!, [`/restart/fastify/${id}`]);
    };

    await handle.shutdown();
    await both('stopped'); // answered, measured by nothing
    handle = start({ prometheus: { host: '127.0.0.1', port: 0 }, runtime: false, hostMetrics: false });
    await handle.ready;
    await both('1');
    await both('2');
    const text = await scrape(handle.prometheusUrl!);
    expect(routes(text, '200')).toEqual({ '/restart/express/:id': 2, '/restart/fastify/:id': 2 });
    await fastify.close();
    await close(server);
  });
});
