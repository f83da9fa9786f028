import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentMeterConfigError } from '@agentmeter/core';
import { httpCheck } from '@agentmeter/prometheus';
import { afterAll, describe, expect, it } from 'vitest';
import { start } from '../src/index.ts';
import type { AgentMeterHandle } from '../src/index.ts';
import { close, value } from './helpers.ts';

let handle: AgentMeterHandle | undefined;
const servers: Server[] = [];
afterAll(async () => {
  await handle?.shutdown();
  for (const server of servers) await close(server);
});

async function listening(status: number): Promise<string> {
  const server = createServer((_req, res) => {
    res.statusCode = status;
    res.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('start({ health })', () => {
  it('serves the dependency checks on /api/health of its /metrics server, and records them', async () => {
    const up = await listening(204);
    const down = await listening(503);
    handle = start({
      prometheus: { host: '127.0.0.1', port: 0 },
      runtime: false,
      hostMetrics: false,
      http: false,
      health: {
        checks: {
          search: httpCheck(`${up}/health`),
          payments: httpCheck(`${down}/health`, { required: false }),
          cache: () => 'PONG',
        },
      },
    });
    await handle.ready;
    const base = new URL(handle.prometheusUrl!).origin;
    const response = await fetch(`${base}/api/health`);
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      status: string;
      dependencies: Record<string, { status: string; required: boolean; latency_ms: number }>;
    };
    expect(report.status).toBe('degraded');
    expect(report.dependencies['search']).toMatchObject({ status: 'healthy', required: true });
    expect(report.dependencies['payments']).toMatchObject({ status: 'unhealthy', required: false });
    expect(report.dependencies['cache']).toMatchObject({ status: 'healthy' });
    const text = await (await fetch(handle.prometheusUrl!)).text();
    expect(value(text, 'agentmeter_health_check_status', { dependency: 'search' })).toBe(1);
    expect(value(text, 'agentmeter_health_check_status', { dependency: 'payments' })).toBe(0);
  });

  it('fails at start() on bad health options, or with the /metrics server off, saying what to change', async () => {
    await handle?.shutdown();
    handle = undefined;
    for (const health of [{ timeoutMs: Number.NaN }, { timeoutMs: -1 }, { checks: { db: 42 } }, { checks: 'db' }]) {
      expect(() =>
        start({
          prometheus: { host: '127.0.0.1', port: 0 },
          runtime: false,
          hostMetrics: false,
          http: false,
          health: health as never,
        }),
      ).toThrow(AgentMeterConfigError);
    }
    expect(() => start({ prometheus: false, health: { checks: { cache: () => true } } })).toThrow(
      /health needs the \/metrics server/,
    );
  });
});
