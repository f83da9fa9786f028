import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgentMeter } from '@agentmeter/core';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool } from '../../../collector/test/helpers/tools.ts';
import {
  freePort,
  startChild,
  tempDir,
  untilReady,
  waitFor,
  type Child,
} from '../../../collector/test/helpers/processes.ts';
import { parseExposition } from '../../../packages/prometheus/test/support/parse.ts';
import { captureDiag, type CapturedDiag } from '../src/checks.ts';
import { MEGABYTE } from '../src/hostile.ts';

/**
 * Issue 14: a real Prometheus scrapes a service after hostile OpenTelemetry SDK instrument names
 * and attributes, in both formats, and keeps every series. Debian's Prometheus 2.42 (on PATH)
 * always asks for OpenMetrics first, so the service is scraped on two paths: `/om/metrics` passes
 * the scraper's Accept header on, `/text/metrics` drops it (the exporter then answers text
 * 0.0.4). Prometheus 3, when collector/scripts/ensure-tools.sh has built it, scrapes the same
 * two paths with `scrape_protocols` pinned to each format as well.
 */
const HOSTILE_VALUES = [
  '"quoted"',
  'back\\slash',
  'new\nline',
  'nul\u0000byte',
  'lone\uD800surrogate',
  '{}=,#',
  'le="+Inf"',
  MEGABYTE.slice(0, 10_000),
];

function hostileService(): { exporter: PrometheusExporter; provider: MeterProvider } {
  const meter = createAgentMeter({ namespace: 'target' });
  const exporter = new PrometheusExporter({ meter, env: {} });
  const provider = new MeterProvider({
    readers: [exporter],
    resource: resourceFromAttributes({ 'service.name': 'hostile "svc"\n' }),
  });
  const sdk = provider.getMeter('hostile scope "x"');
  const calls = sdk.createCounter('calls');
  for (const [i, value] of HOSTILE_VALUES.entries()) {
    calls.add(i + 1, {
      '': 'empty key',
      __name__: 'evil',
      'a.b': value,
      a_b: 'clash',
      le: '3',
      'é-ü': value,
      ['k'.repeat(300)]: 'long key',
    });
  }
  sdk.createGauge('...').record(1);
  sdk.createGauge('1starts.with-digit').record(2, { quantile: 'q' });
  sdk.createHistogram('lat', { unit: 's' }).record(0.5, { route: '/a"b' });
  sdk.createCounter('lat_bucket').add(1);
  sdk.createCounter('same').add(1);
  sdk.createGauge('same').record(2);
  sdk.createUpDownCounter('ünïcödé.名前').add(-3);
  sdk.createObservableGauge('observed').addCallback((result) => result.observe(Number.MAX_VALUE, { x: 'y' }));
  meter.increment('orders');
  meter.gauge('orders_created', 1);
  meter.gauge('info', 1);
  meter.increment('jobs', { queue: 'a\u0000b' });
  meter.increment('jobs', { queue: 'a\u0000\u0000b' });
  return { exporter, provider };
}

/** Serves the exporter on /text/... (Accept dropped: text 0.0.4) and /om/... (Accept passed on). */
async function twoFormats(exporter: PrometheusExporter): Promise<{ server: Server; port: number }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '/';
    const text = url.startsWith('/text/');
    if (text) delete request.headers['accept'];
    request.url = url.replace(/^\/(text|om)/, '');
    exporter.requestHandler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

interface Vector {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

async function query(base: string, promql: string): Promise<Vector[]> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { result: Vector[] } };
  if (body.status !== 'success') throw new Error(`query ${promql} failed: ${JSON.stringify(body)}`);
  return body.data.result;
}

function prometheusBinaries(): { name: string; path: string; protocols: boolean }[] {
  const found = [{ name: 'Prometheus 2.42 (Debian)', path: '/usr/bin/prometheus', protocols: false }];
  try {
    found.push({ name: 'Prometheus 3', path: findTool('prometheus'), protocols: true });
  } catch {
    // Not built on this machine: 2.42 alone is required (ensure-tools.sh builds 3 for CI).
  }
  return found;
}

let captured: CapturedDiag;
beforeAll(() => {
  captured = captureDiag();
});
afterAll(() => captured.restore());

describe('a real Prometheus scrapes both formats after hostile names and attributes (issue 14)', () => {
  for (const binary of prometheusBinaries()) {
    it(`${binary.name}: both targets up, every series the exposition holds stored`, async () => {
      const { exporter, provider } = hostileService();
      const { server, port } = await twoFormats(exporter);
      // Each path answers in its format whatever the scraper asks for.
      const asked = { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' };
      expect(
        (await fetch(`http://127.0.0.1:${port}/text/metrics`, { headers: asked })).headers.get('content-type'),
      ).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(
        (await fetch(`http://127.0.0.1:${port}/om/metrics`, { headers: asked })).headers.get('content-type'),
      ).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
      const dir = tempDir('prom-hostile');
      const webPort = await freePort();
      const job = (name: string, path: string, protocol: string): string =>
        [
          `  - job_name: ${name}`,
          '    scrape_interval: 1s',
          `    metrics_path: ${path}`,
          ...(binary.protocols ? [`    scrape_protocols: [${protocol}]`] : []),
          `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
        ].join('\n');
      writeFileSync(
        join(dir.path, 'prometheus.yml'),
        [
          'global: { scrape_interval: 1s }',
          'scrape_configs:',
          job('text', '/text/metrics', 'PrometheusText0.0.4'),
          job('om', '/om/metrics', 'OpenMetricsText1.0.0'),
        ].join('\n'),
      );
      let child: Child | undefined;
      try {
        child = startChild(binary.path, [
          `--config.file=${join(dir.path, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir.path, 'data')}`,
          `--web.listen-address=127.0.0.1:${webPort}`,
        ]);
        const base = `http://127.0.0.1:${webPort}`;
        await untilReady('prometheus', `${base}/-/ready`, {}, child, dir);
        for (const [jobName, format] of [
          ['text', 'text'],
          ['om', 'openmetrics'],
        ] as const) {
          // What the service serves in this format, read with the strict parser.
          const body = await exporter.scrape(format);
          const names = new Set(parseExposition(body, format).samples.map((sample) => sample.name));
          expect(names.size).toBeGreaterThan(8);
          const up = await waitFor(
            `${jobName} to be scraped`,
            async () => {
              const result = await query(base, `up{job="${jobName}"}`);
              return result.length === 1 && result[0]!.value[1] === '1' ? result : undefined;
            },
            60_000,
            500,
          ).catch((error: unknown) => {
            throw new Error(`${String(error)}\n${child!.output()}`);
          });
          expect(up[0]!.value[1]).toBe('1');
          const stored = await waitFor(
            `${jobName} series`,
            async () => {
              const result = await query(base, `{job="${jobName}",__name__!~"up|scrape_.*"}`);
              return result.length > 0 ? result : undefined;
            },
            30_000,
            500,
          );
          const storedNames = new Set(stored.map((vector) => vector.metric['__name__']));
          // Every sample name the exposition holds is stored (OpenMetrics _created samples are not stored as series by 2.42).
          for (const name of names)
            if (!name.endsWith('_created')) expect(storedNames.has(name), `${jobName}: ${name}`).toBe(true);
          const calls = stored.filter((vector) => vector.metric['__name__'] === 'calls_total');
          expect(calls).toHaveLength(HOSTILE_VALUES.length);
          expect(calls.reduce((sum, vector) => sum + Number(vector.value[1]), 0)).toBe(
            (HOSTILE_VALUES.length * (HOSTILE_VALUES.length + 1)) / 2,
          );
          // The NUL-separated custom label values stay two series.
          expect(stored.filter((vector) => vector.metric['__name__'] === 'target_jobs_total')).toHaveLength(2);
          const scraped = await query(base, `scrape_samples_scraped{job="${jobName}"}`);
          expect(Number(scraped[0]!.value[1])).toBeGreaterThan(HOSTILE_VALUES.length);
        }
      } finally {
        await child?.stop();
        dir.cleanup();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await provider.shutdown();
      }
    }, 180_000);
  }
});
