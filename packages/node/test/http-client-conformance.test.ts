import { request } from 'node:http';
import {
  conformanceRows,
  startFaultServer,
  type ConformanceFailure,
  type FaultServer,
  type NotApplicable,
} from '@agentmeter/provider-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type AgentMeterHandle } from '../src/index.ts';
import { scrape } from './helpers.ts';
import { delta, series } from './http-requests.ts';

/** What a row needs: where the request goes and the caller's signal (its own abort, or a client timeout). */
interface Call {
  readonly url: string;
  readonly signal: AbortSignal;
}

/** One HTTP client whose requests Node's diagnostics channels report, read to the end of the body. */
interface Client {
  readonly notApplicable: NotApplicable;
  run(call: Call): Promise<number>;
}

const BODIES_ARE_NOT_PARSED =
  'an HTTP client does not parse bodies: bytes that are not valid JSON are a successful request (checked below)';

const CLIENTS: Readonly<Record<string, Client>> = {
  'fetch (undici)': {
    notApplicable: { 'malformed body': BODIES_ARE_NOT_PARSED },
    run: async ({ url, signal }) => {
      const response = await fetch(`${url}/v1/x`, { signal });
      await response.arrayBuffer();
      return response.status;
    },
  },
  'node:http request': {
    notApplicable: { 'malformed body': BODIES_ARE_NOT_PARSED },
    run: ({ url, signal }) =>
      new Promise((resolve, reject) => {
        const outgoing = request(`${url}/v1/x`, { agent: false, signal }, (response) => {
          response.resume();
          response.on('error', reject);
          response.on('end', () => resolve(response.statusCode ?? 0));
        });
        outgoing.on('error', reject);
        outgoing.end();
      }),
  },
};

const DURATION = 'http_client_request_duration_seconds_count';

/**
 * Runs a request and returns the series of requests to its port whose count changed, as label
 * sets (the test's own scrapes go to another port). A request is recorded when its response
 * closes, which can come just after the caller saw the end: scrapes until it shows (2 s at most).
 */
async function changedBy(
  handle: AgentMeterHandle,
  url: string,
  run: () => Promise<unknown>,
): Promise<Array<[Record<string, string>, number]>> {
  const port = new URL(url).port;
  const before = series(await scrape(handle.prometheusUrl!), DURATION);
  await run().catch(() => undefined);
  for (let attempt = 0; ; attempt++) {
    const changed = Object.entries(delta(before, series(await scrape(handle.prometheusUrl!), DURATION)))
      .map(([key, count]) => [JSON.parse(key) as Record<string, string>, count] as [Record<string, string>, number])
      .filter(([labels]) => labels['server_port'] === port);
    if (changed.length > 0 || attempt === 40) return changed;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("one error taxonomy for Node's HTTP client metrics (node:http and fetch)", () => {
  let handle: AgentMeterHandle;
  let server: FaultServer;
  beforeAll(async () => {
    handle = start({ prometheus: { host: '127.0.0.1', port: 0 }, runtime: false, hostMetrics: false });
    await handle.ready;
    server = await startFaultServer();
  });
  afterAll(async () => {
    await server.close();
    await handle.shutdown();
  });

  const { drive, notApplicable } = conformanceRows(
    Object.fromEntries(Object.entries(CLIENTS).map(([name, client]) => [name, client.notApplicable])),
  );

  it.each(drive)('%s: %s is error_type=%s', async (name, failure: ConformanceFailure, expected) => {
    server.set(failure, 'application/json');
    const url = server.urlFor(failure);
    const changed = await changedBy(handle, url, () => {
      // The caller's signal starts with the request (after the first scrape).
      const controller = new AbortController();
      if (failure === 'caller abort') setTimeout(() => controller.abort(), 100);
      const signal =
        failure === 'client timeout'
          ? AbortSignal.any([controller.signal, AbortSignal.timeout(300)])
          : controller.signal;
      return CLIENTS[name]!.run({ url, signal });
    });
    expect(changed.map(([labels, count]) => [labels['error_type'], count])).toEqual([[expected, 1]]);
  });

  it('node:http: a response the caller destroys before its end is cancelled (not a dropped stream)', async () => {
    server.set('dropped mid-body', 'application/octet-stream');
    const changed = await changedBy(
      handle,
      server.url,
      () =>
        new Promise<void>((resolve, reject) => {
          request(`${server.url}/v1/x`, { agent: false }, (response) => {
            response.once('data', () => response.destroy());
            response.once('close', () => resolve());
          })
            .on('error', reject)
            .end();
        }),
    );
    expect(
      changed.map(([labels, count]) => [labels['http_response_status_code'], labels['error_type'], count]),
    ).toEqual([['200', 'cancelled', 1]]);
  });

  it('lists every row that does not apply, with its reason, and a malformed body is a successful request', async () => {
    expect(notApplicable).toEqual(Object.keys(CLIENTS).map((name) => [name, 'malformed body', BODIES_ARE_NOT_PARSED]));
    server.set('malformed body', 'application/json');
    for (const client of Object.values(CLIENTS)) {
      const changed = await changedBy(handle, server.url, async () => {
        expect(await client.run({ url: server.url, signal: new AbortController().signal })).toBe(200);
      });
      expect(
        changed.map(([labels, count]) => [labels['http_response_status_code'], labels['error_type'], count]),
      ).toEqual([['200', undefined, 1]]);
    }
  });
});
