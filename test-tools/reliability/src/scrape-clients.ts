import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { parseExposition } from '../../../packages/prometheus/test/support/parse.ts';

/**
 * The scrapers of the scrape-load bench, in their own process so that reading bodies does not
 * slow the app's measured clients: `connections` concurrent connections for `seconds`, asking
 * for text, OpenMetrics and gzip in turn. Every 200 must end as its format ends; one body in 25
 * (and every gzip body checked separately) is parsed with the strict reader; every 503 must
 * carry Retry-After. Prints one JSON line.
 */
export interface ScrapeClientsResult {
  readonly responses: number;
  readonly ok: number;
  readonly refused: number;
  readonly refusedWithoutRetryAfter: number;
  readonly malformed: number;
  readonly parsed: number;
  readonly otherStatus: number;
  readonly errors: number;
  readonly timeouts: number;
  /**
   * Responses with no status line of their own: after a timeout autocannon (9.0.0) destroys the
   * connection but keeps its HTTP parser, which reads the next connection's bytes as the rest of
   * the abandoned body, so every timeout is followed by one or more garbled "responses" (status
   * undefined, the body beginning with `HTTP/1.1 200 OK`). They are the client's, not the server's.
   */
  readonly garbledAfterTimeout: number;
  /** This process's own event-loop delay: when it stalls, its timers fire before the data it has. */
  readonly ownLoopP99Ms: number;
  readonly ownLoopMaxMs: number;
  readonly failures: string[];
}

const [url = '', path = '/metrics', connectionsText = '200', secondsText = '20', authorization = ''] =
  process.argv.slice(2);
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0';
const result = {
  responses: 0,
  ok: 0,
  refused: 0,
  refusedWithoutRetryAfter: 0,
  malformed: 0,
  parsed: 0,
  otherStatus: 0,
  errors: 0,
  timeouts: 0,
  garbledAfterTimeout: 0,
  ownLoopP99Ms: 0,
  ownLoopMaxMs: 0,
  failures: [] as string[],
};
const fail = (message: string): void => {
  result.malformed++;
  if (result.failures.length < 5) result.failures.push(message);
};

const check =
  (format: 'text' | 'openmetrics' | 'json', gzip: boolean) =>
  (status: number | undefined, body: string, _context: unknown, headers?: Record<string, unknown>): void => {
    result.responses++;
    if (status === undefined) {
      result.garbledAfterTimeout++;
      return;
    }
    if (status === 503 && path !== '/api/health') {
      result.refused++;
      if (headers?.['retry-after'] === undefined) result.refusedWithoutRetryAfter++;
      return;
    }
    if (status !== 200) {
      result.otherStatus++;
      if (result.failures.length < 5) result.failures.push(`${format}: status ${status}: ${body.slice(0, 80)}`);
      return;
    }
    result.ok++;
    if (gzip) return; // autocannon hands bodies over as text; gzip bodies are checked with fetch below.
    if (format === 'json') {
      if (result.ok % 25 === 0) JSON.parse(body);
      return;
    }
    if (format === 'text' ? !body.endsWith('\n') : !body.endsWith('# EOF\n')) {
      fail(`${format}: body does not end as it should (${body.length} characters)`);
      return;
    }
    if (result.ok % 25 === 0) {
      try {
        parseExposition(body, format);
        result.parsed++;
      } catch (error) {
        fail(`${format}: ${String(error)}`);
      }
    }
  };

// As Prometheus does: its scrape_timeout (default 10 s, the autocannon timeout below) in a header.
const TIMEOUT_SECONDS = 10;
const base = {
  'x-prometheus-scrape-timeout-seconds': String(TIMEOUT_SECONDS),
  ...(authorization === '' ? {} : { authorization }),
};
const requests =
  path === '/api/health'
    ? [{ method: 'GET' as const, path, onResponse: check('json', false) }]
    : [
        { method: 'GET' as const, path, headers: base, onResponse: check('text', false) },
        {
          method: 'GET' as const,
          path,
          headers: { ...base, accept: OPENMETRICS },
          onResponse: check('openmetrics', false),
        },
        {
          method: 'GET' as const,
          path,
          headers: { ...base, 'accept-encoding': 'gzip' },
          onResponse: check('text', true),
        },
      ];

// Alongside the load: gzip bodies fetched, decompressed and parsed every second.
const deadline = Date.now() + Number(secondsText) * 1000;
const gzipChecks = (async () => {
  if (path === '/api/health') return;
  while (Date.now() < deadline - 1000) {
    const response = await fetch(`${url}${path}`, { headers: { ...base, 'accept-encoding': 'gzip' } }).catch(
      () => undefined,
    );
    if (response?.status === 200) {
      const raw = Buffer.from(await response.arrayBuffer());
      try {
        // fetch decompresses on its own when it sees content-encoding; a raw gzip body is decompressed here.
        parseExposition(raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw, 'text');
        result.parsed++;
      } catch (error) {
        fail(`gzip text: ${String(error)}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
})();
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const run = await autocannon({
  url,
  connections: Number(connectionsText),
  duration: Number(secondsText),
  timeout: TIMEOUT_SECONDS,
  requests,
});
await gzipChecks;
loop.disable();
result.ownLoopP99Ms = loop.percentile(99) / 1e6;
result.ownLoopMaxMs = loop.max / 1e6;
result.errors = run.errors;
result.timeouts = run.timeouts;
console.log(JSON.stringify(result satisfies ScrapeClientsResult));
