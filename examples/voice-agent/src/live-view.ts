import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
// The shipped dashboards' definitions: the live view draws the same panels, with the same queries.
import { DASHBOARDS } from '../../../collector/src/dashboards/all.ts';
import type { DashboardSpec, QuerySpec } from '../../../collector/src/dashboards/model.ts';
import type { ScrapeStore } from './live-store.ts';

/** The main dashboards' panels the live view shows, by dashboard title and panel title. */
export const LIVE_PANELS: readonly (readonly [dashboard: string, panel: string])[] = [
  ['agentmeter / Overview', 'Requests by status'],
  ['agentmeter / Overview', 'Errors by type'],
  ['agentmeter / Overview', 'Response time'],
  ['agentmeter / LLM and cost', 'LLM latency'],
  ['agentmeter / LLM and cost', 'Time to first token'],
  ['agentmeter / Voice pipeline', 'Time to first audio'],
  ['agentmeter / Voice pipeline', 'Turn latency'],
  ['agentmeter / LLM and cost', 'Tokens by type'],
  ['agentmeter / LLM and cost', 'Cost by provider and service'],
  ['agentmeter / Voice pipeline', 'TTS rate limits'],
  ['agentmeter / Database and cache', 'Query latency'],
  ['agentmeter / Database and cache', 'Cache hit ratio'],
];

export interface LivePanel {
  readonly dashboard: string;
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly QuerySpec[];
}

/** Grafana's variables as the live view fills them in: every job, a 1-minute rate window. */
function resolve(expr: string): string {
  return expr.replaceAll('$job', '.+').replaceAll('$__rate_interval', '1m').replaceAll('$__range', '10m');
}

/** The live view's panels, taken from the dashboard definitions (a missing one is a programming error). */
export function livePanels(dashboards: readonly DashboardSpec[] = Object.values(DASHBOARDS)): LivePanel[] {
  return LIVE_PANELS.map(([dashboard, title]) => {
    const panel = dashboards
      .find((d) => d.title === dashboard)
      ?.rows.flatMap((row) => row.panels)
      .find((p) => p.title === title);
    if (panel === undefined) throw new Error(`live view: no panel "${title}" on ${dashboard}`);
    return {
      dashboard,
      title,
      description: panel.description,
      unit: panel.unit,
      queries: panel.queries.map((q) => ({ expr: resolve(q.expr), legend: q.legend })),
    };
  });
}

export interface LiveView {
  readonly url: string;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
const FILES: Readonly<Record<string, readonly [path: string, type: string]>> = {
  '/': [fileURLToPath(new URL('../live/index.html', import.meta.url)), 'text/html; charset=utf-8'],
  '/live.js': [fileURLToPath(new URL('../live/live.js', import.meta.url)), 'text/javascript; charset=utf-8'],
  // uPlot straight from node_modules: no build step.
  '/uplot.js': [require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
  '/uplot.css': [require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'],
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * Where the charts' range queries go: the demo's Prometheus (proxied, so the page needs no CORS),
 * or, with no Prometheus, the service's own /metrics history, evaluated in this process.
 */
export type LiveSource = { readonly prometheus: string } | { readonly store: ScrapeStore };

function fromStore(store: ScrapeStore, params: URLSearchParams, res: ServerResponse): void {
  const number = (name: string): number => Number(params.get(name));
  const [start, end, step] = [number('start'), number('end'), number('step')];
  if (![start, end, step].every(Number.isFinite) || step <= 0 || end < start) {
    return send(
      res,
      400,
      'application/json',
      JSON.stringify({ status: 'error', error: 'start, end and step must be numbers, step > 0, end >= start' }),
    );
  }
  try {
    send(res, 200, 'application/json', JSON.stringify(store.queryRange(params.get('query') ?? '', start, end, step)));
  } catch (error) {
    send(
      res,
      400,
      'application/json',
      JSON.stringify({ status: 'error', error: error instanceof Error ? error.message : String(error) }),
    );
  }
}

/** Serves the live view on 127.0.0.1: a page that draws the main dashboards' panels with uPlot. */
export async function startLiveView(source: LiveSource, port = 0): Promise<LiveView> {
  const panels = JSON.stringify(livePanels());
  const origin = JSON.stringify({ source: 'prometheus' in source ? 'prometheus' : 'service' });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://live');
    const file = FILES[url.pathname];
    if (file !== undefined) {
      readFile(file[0]).then(
        (body) => send(res, 200, file[1], body),
        () => send(res, 500, 'text/plain', 'unreadable'),
      );
      return;
    }
    if (url.pathname === '/api/panels') return send(res, 200, 'application/json', panels);
    if (url.pathname === '/api/source') return send(res, 200, 'application/json', origin);
    if (url.pathname === '/api/query_range' && 'store' in source) return fromStore(source.store, url.searchParams, res);
    if (url.pathname === '/api/query_range' && 'prometheus' in source) {
      fetch(`${source.prometheus}/api/v1/query_range${url.search}`, { signal: AbortSignal.timeout(10_000) })
        .then(async (answer) => send(res, answer.status, 'application/json', Buffer.from(await answer.arrayBuffer())))
        .catch((error: unknown) =>
          send(res, 502, 'application/json', JSON.stringify({ status: 'error', error: String(error) })),
        );
      return;
    }
    send(res, 404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolvePromise());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise<void>((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeAllConnections();
      }),
  };
}
