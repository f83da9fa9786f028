import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { afterEach, describe, expect, it } from 'vitest';
import { freePortRange } from '../../../collector/test/helpers/processes.ts';
import { promtoolCheck } from '../../prometheus/test/support/tools.ts';
import { ClusterApp } from './cluster-app.ts';
import { samples, scrape, sendRequests } from './helpers.ts';

let app: ClusterApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

function sum(text: string, name: string, labels: Record<string, string> = {}): number {
  return samples(text, name, labels).reduce((total, [, value]) => total + value, 0);
}

interface Totals {
  readonly durationCount: number;
  readonly requests: number;
}

async function totals(metricsUrl: string): Promise<Totals & { text: string }> {
  const text = await scrape(metricsUrl);
  return {
    text,
    durationCount: sum(text, 'http_server_request_duration_seconds_count'),
    requests: sum(text, 'agentmeter_requests_total'),
  };
}

async function load(url: string, amount: number): Promise<void> {
  const result = await autocannon({ url, connections: 8, amount, timeout: 30 });
  expect({
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    sent: result.requests.sent,
  }).toEqual({
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    sent: amount,
  });
}

describe('node:cluster: one /metrics served by the primary', () => {
  it('merges 4 workers behind one port exactly under autocannon, per-worker runtime series apart, promtool-clean', async () => {
    app = new ClusterApp({ WORKERS: '4' });
    const { metrics, app: appUrl } = (await app.next()) as { metrics: string; app: string };
    await load(appUrl, 2000);

    const first = await totals(metrics);
    expect({ durationCount: first.durationCount, requests: first.requests }).toEqual({
      durationCount: 2000,
      requests: 2000,
    });
    // Every worker served a share (round-robin), and each shows up once under its worker label.
    const workers = samples(first.text, 'nodejs_eventloop_utilization_ratio')
      .map(([labels]) => labels['worker'])
      .toSorted();
    expect(workers).toEqual(['1', '2', '3', '4', 'primary']);
    // One series per label set: the merge never emits a series twice.
    const seriesLines = first.text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.slice(0, line.lastIndexOf(' ')));
    expect(new Set(seriesLines).size).toBe(seriesLines.length);

    const checked = promtoolCheck(first.text);
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
    const openMetrics = await fetch(metrics, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    expect(openMetrics.headers.get('content-type')).toContain('openmetrics');
    expect(sum(await openMetrics.text(), 'agentmeter_requests_total')).toBe(2000);
  }, 120_000);

  it('keeps exact totals, with no counter going back, when a worker is killed and another forked mid-run', async () => {
    app = new ClusterApp({ WORKERS: '4', QUIET: '1' });
    const { metrics, app: appUrl } = (await app.next()) as { metrics: string; app: string };
    const seen: Totals[] = [];
    const record = async (): Promise<Totals> => {
      const { durationCount, requests } = await totals(metrics);
      seen.push({ durationCount, requests });
      return { durationCount, requests };
    };

    await load(appUrl, 1000);
    expect(await record()).toEqual({ durationCount: 1000, requests: 1000 });
    // SIGKILL: the worker says nothing; the primary keeps the totals it last reported.
    expect(await app.command('kill')).toHaveProperty('killed');
    expect(await record()).toEqual({ durationCount: 1000, requests: 1000 });
    await load(appUrl, 600);
    expect(await record()).toEqual({ durationCount: 1600, requests: 1600 });
    expect(await app.command('fork')).toHaveProperty('forked');
    await load(appUrl, 600);
    expect(await record()).toEqual({ durationCount: 2200, requests: 2200 });
    // A graceful exit (am.shutdown() in the worker) hands over even what no scrape has seen yet.
    await load(appUrl, 400);
    expect(await app.command('retire')).toHaveProperty('retired');
    expect(await record()).toEqual({ durationCount: 2600, requests: 2600 });

    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.durationCount).toBeGreaterThanOrEqual(seen[i - 1]!.durationCount);
      expect(seen[i]!.requests).toBeGreaterThanOrEqual(seen[i - 1]!.requests);
    }
  }, 120_000);

  it('falls back to a port per worker, with one warning each, when the primary does not run agentmeter', async () => {
    // Workers serve base + 1 and base + 2: all three must be free, and stay free until they listen.
    const base = await freePortRange(3);
    app = new ClusterApp({ WORKERS: '2', NO_PRIMARY_START: '1', METRICS_PORT: String(base) });
    const { metrics, app: appUrl } = (await app.next()) as { metrics?: string; app: string };
    expect(metrics).toBeUndefined();
    await sendRequests(appUrl, 200);
    // Worker n serves the configured port plus n, as soon as its wait for a primary has ended.
    const perWorker = await Promise.all(
      [1, 2].map(async (id) => {
        const url = `http://127.0.0.1:${base + id}/metrics`;
        for (let attempt = 0; attempt < 60; attempt++) {
          const text = await fetch(url).then(
            (response) => response.text(),
            () => undefined,
          );
          if (text !== undefined) return sum(text, 'agentmeter_requests_total');
          await sleep(250);
        }
        throw new Error(`worker ${id} never served ${url}; its stderr: ${app!.stderr}`);
      }),
    );
    expect(perWorker[0]! + perWorker[1]!).toBe(200);
    expect(app.stderr.match(/got no answer from a primary running agentmeter/g)).toHaveLength(2);
  }, 120_000);
});
