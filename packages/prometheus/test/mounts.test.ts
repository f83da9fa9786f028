import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { fastifyMetrics, honoMetrics } from '../src/index.ts';
import { parseExposition, valueOf } from './support/parse.ts';
import { setup, type Setup } from './support/fixtures.ts';
import { rawRequest } from './support/http.ts';

const TOKEN = 'mount-token';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).toReversed()) await cleanup();
});

function prepared(): Setup {
  const run = setup({ token: TOKEN });
  run.meter.instruments.requests.add(5, { status: 'ok' });
  cleanups.push(() => run.provider.shutdown());
  return run;
}

function listen(server: Server): Promise<string> {
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

/** The same checks for every mount: metrics with and without token, OpenMetrics, JSON, health, HEAD, POST, the app's own route. */
async function checkMount(base: string): Promise<void> {
  const auth = { authorization: `Bearer ${TOKEN}` };
  expect((await rawRequest(`${base}/metrics`)).status).toBe(401);
  const text = await rawRequest(`${base}/metrics`, { headers: auth });
  expect([text.status, text.headers['content-type']]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8']);
  expect(valueOf(parseExposition(text.body, 'text'), 'agentmeter_requests_total', { status: 'ok' })).toBe(5);
  const openMetrics = await rawRequest(`${base}/metrics`, {
    headers: { ...auth, accept: 'application/openmetrics-text; version=1.0.0' },
  });
  expect(openMetrics.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
  parseExposition(openMetrics.body, 'openmetrics');
  const json = await rawRequest(`${base}/api/metrics`, { headers: auth });
  expect(JSON.parse(json.body.toString()).counters['agentmeter_requests_total'].series[0].value).toBe(5);
  const health = await rawRequest(`${base}/api/health`);
  expect([health.status, JSON.parse(health.body.toString()).status]).toEqual([200, 'healthy']);
  const head = await rawRequest(`${base}/metrics`, { method: 'HEAD', headers: auth });
  expect([head.status, head.body.length]).toEqual([200, 0]);
  expect((await rawRequest(`${base}/metrics`, { method: 'POST', headers: auth })).status).toBe(405);
  expect((await rawRequest(`${base}/app`)).body.toString()).toBe('app route');
}

describe('mounting', () => {
  it('node:http: the request handler, with the app answering other paths', async () => {
    const { exporter } = prepared();
    const server = createServer((req, res) => {
      if (req.url === '/app') res.end('app route');
      else exporter.requestHandler(req, res);
    });
    await checkMount(await listen(server));
  });

  it('Express: app.use(exporter.requestHandler), falling through to later routes', async () => {
    const { exporter } = prepared();
    const app = express();
    app.use(exporter.requestHandler);
    app.get('/app', (_req, res) => {
      res.send('app route');
    });
    await checkMount(await listen(createServer(app)));
  });

  it('Express: mounted under a prefix', async () => {
    const { exporter } = prepared();
    const app = express();
    app.use('/internal', exporter.requestHandler);
    const base = await listen(createServer(app));
    expect(
      (await rawRequest(`${base}/internal/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(200);
    expect((await rawRequest(`${base}/metrics`)).status).toBe(404);
  });

  it('Fastify: app.register(fastifyMetrics(exporter))', async () => {
    const { exporter } = prepared();
    const app = Fastify();
    await app.register(fastifyMetrics(exporter));
    app.get('/app', async () => 'app route');
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    await checkMount(base);
  });

  it('Fastify: under a prefix', async () => {
    const { exporter } = prepared();
    const app = Fastify();
    await app.register(fastifyMetrics(exporter), { prefix: '/internal' });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const response = await rawRequest(`${base}/internal/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(valueOf(parseExposition(response.body, 'text'), 'agentmeter_requests_total', { status: 'ok' })).toBe(5);
    expect((await rawRequest(`${base}/metrics`)).status).toBe(404);
  });

  it('Hono: app.use(honoMetrics(exporter)) on @hono/node-server', async () => {
    const { exporter } = prepared();
    const app = new Hono();
    app.use(honoMetrics(exporter));
    app.get('/app', (c) => c.text('app route'));
    const server = await new Promise<ServerType>((resolve) => {
      const started: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    });
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    await checkMount(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  it('Hono: app.fetch without a server (Request in, Response out)', async () => {
    const { exporter } = prepared();
    const app = new Hono();
    app.use(honoMetrics(exporter));
    const response = await app.fetch(
      new Request('http://local/metrics', { headers: { authorization: `Bearer ${TOKEN}` } }),
    );
    expect(response.status).toBe(200);
    expect(valueOf(parseExposition(await response.text(), 'text'), 'agentmeter_requests_total', { status: 'ok' })).toBe(
      5,
    );
  });
});
