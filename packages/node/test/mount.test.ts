import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { createAgentMeter } from '@agentmeter/core';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { afterAll, describe, expect, it } from 'vitest';
import { start } from '../src/index.ts';
import type { AgentMeterHandle } from '../src/index.ts';
import { close, value } from './helpers.ts';

let handle: AgentMeterHandle | undefined;
afterAll(() => handle?.shutdown());

describe('metrics endpoints mounted in the app instead of a port of their own', () => {
  it('serves the SDK and meter metrics through an Express app with metricReaders and prometheus: false', async () => {
    const meter = createAgentMeter({ namespace: 'mounted' });
    const exporter = new PrometheusExporter({ meter });
    handle = start({ meter, prometheus: false, metricReaders: [exporter], runtime: false, hostMetrics: false });
    expect(handle.meter).toBe(meter);
    await handle.ready;
    expect(handle.prometheusUrl).toBeUndefined();

    const express = createRequire(import.meta.url)('express') as typeof import('express');
    const app = express();
    app.use(exporter.requestHandler);
    app.get('/users/:id', (_req, res) => void res.send('user'));
    const server = app.listen(0, '127.0.0.1') as Server;
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    for (const id of ['7', '8']) await (await fetch(`${base}/users/${id}`)).text();
    meter.increment('mounted_jobs');

    const text = await (await fetch(`${base}/metrics`)).text();
    expect(
      value(text, 'http_server_request_duration_seconds_count', {
        http_route: '/users/:id',
        http_response_status_code: '200',
      }),
    ).toBe(2);
    expect(value(text, 'mounted_mounted_jobs_total')).toBe(1);
    const health = (await (await fetch(`${base}/api/health`)).json()) as { status: string };
    expect(health.status).toBe('healthy');
    await close(server);
  });
});
