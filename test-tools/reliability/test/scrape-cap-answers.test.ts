import { once } from 'node:events';
import { Agent, createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { createAgentMeter } from '@agentmeter/core';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExposition } from '../../../packages/prometheus/test/support/parse.ts';

const TOKEN = 'cap-answers-token';
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0';
const CAP = 4;
const SCRAPERS = 40;
const ROUNDS = 3;

let running: PrometheusExporter | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  /** The response ended as HTTP framed it (not aborted or closed early). */
  readonly complete: boolean;
}

/** One GET over a keep-alive agent, the body read in full; a closed or reset connection rejects. */
function get(url: string, agent: Agent, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('aborted', () => reject(new Error('response aborted')));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          headers: response.headers,
          body: Buffer.concat(chunks),
          complete: response.complete,
        }),
      );
    })
      .on('error', reject)
      .end();
  });
}

/** What is wrong with an answer, or undefined: a 200 must be a whole body that parses strictly, a 503 must carry Retry-After. */
function problem(answer: Answer, asked: 'text' | 'openmetrics' | 'gzip'): string | undefined {
  if (!answer.complete) return `${asked}: incomplete ${answer.status}`;
  if (answer.status === 503)
    return answer.headers['retry-after'] === '1' ? undefined : `${asked}: 503 without Retry-After`;
  if (answer.status !== 200) return `${asked}: status ${answer.status}`;
  if (Number(answer.headers['content-length']) !== answer.body.length)
    return `${asked}: ${answer.body.length} bytes of ${answer.headers['content-length']}`;
  const gzip = answer.headers['content-encoding'] === 'gzip';
  if (asked === 'gzip' && !gzip) return 'gzip: not compressed';
  const body = gzip ? gunzipSync(answer.body) : answer.body;
  const served = String(answer.headers['content-type']).startsWith('application/openmetrics-text')
    ? 'openmetrics'
    : 'text';
  try {
    const { samples } = parseExposition(body, served);
    return samples.length >= 3000 ? undefined : `${asked}: ${samples.length} samples`;
  } catch (error) {
    return `${asked}: ${String(error)}`;
  }
}

describe('scrapers beyond the concurrency cap (issue 14)', () => {
  it(`gives ${SCRAPERS} keep-alive scrapers against a cap of ${CAP} only whole, strictly parsed bodies or 503 with Retry-After`, async () => {
    const meter = createAgentMeter({ seriesLimit: 20_000, attributes: { requests: ['route'] } });
    // Bodies of a few hundred kilobytes: each answer holds its slot while the socket takes it.
    for (let i = 0; i < 3000; i++) meter.instruments.requests.add(1, { route: `/r/${i}`, status: 'ok' });
    const exporter = new PrometheusExporter({
      meter,
      port: 0,
      env: {},
      token: TOKEN,
      maxConcurrentScrapes: CAP,
      shareWindowMs: 100,
    });
    running = exporter;
    const url = `${await exporter.start()}/metrics`;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const kinds = [
      ['text', auth],
      ['openmetrics', { ...auth, accept: OPENMETRICS }],
      ['gzip', { ...auth, 'accept-encoding': 'gzip' }],
    ] as const;
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    // Each scraper keeps its connection and asks again as soon as it has its answer, as autocannon and Prometheus do.
    await Promise.all(
      Array.from({ length: SCRAPERS }, async (_, scraper) => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        try {
          for (let round = 0; round < ROUNDS; round++) {
            const [asked, headers] = kinds[(scraper + round) % kinds.length]!;
            const answer = await get(url, agent, headers);
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
            const wrong = problem(answer, asked);
            if (wrong !== undefined) problems.push(wrong);
          }
        } finally {
          agent.destroy();
        }
      }),
    );
    expect(problems).toEqual([]);
    expect([...statuses.keys()].toSorted()).toEqual([200, 503]);
    expect((statuses.get(200) ?? 0) + (statuses.get(503) ?? 0)).toBe(SCRAPERS * ROUNDS);
  });

  it("lets a slow reader take a whole body: the server's header and request timeouts cannot cut a response in progress", async () => {
    const meter = createAgentMeter({ seriesLimit: 200_000, attributes: { requests: ['route'] } });
    // A body of several megabytes: more than the socket buffers hold, so most of it waits for the reader.
    for (let i = 0; i < 40_000; i++) meter.instruments.requests.add(1, { route: `/slow/${i}`, status: 'ok' });
    const exporter = new PrometheusExporter({ meter, env: {} });
    running = exporter;
    // The exporter's handler on a server whose timeouts are far shorter than the reader's pause, checked every 50 ms.
    const server = createServer(
      { requestTimeout: 300, headersTimeout: 200, connectionsCheckingInterval: 50 },
      exporter.requestHandler,
    );
    server.keepAliveTimeout = 200;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port, path: '/metrics', agent: false }, resolve).on('error', reject).end();
      });
      response.pause();
      await sleep(1_500);
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.resume();
      await once(response, 'end');
      const body = Buffer.concat(chunks);
      expect(response.complete).toBe(true);
      expect(body.length).toBe(Number(response.headers['content-length']));
      expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
      expect(parseExposition(body, 'text').samples.length).toBeGreaterThanOrEqual(40_000);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('answers 503 with Retry-After, not a body it would throw away, to a scraper whose X-Prometheus-Scrape-Timeout-Seconds has passed', async () => {
    const meter = createAgentMeter({ seriesLimit: 200_000, attributes: { requests: ['route'] } });
    for (let i = 0; i < 40_000; i++) meter.instruments.requests.add(1, { route: `/slow/${i}`, status: 'ok' });
    // A long sharing window: a scrape that is not alone waits for the next round, longer than its own timeout.
    const exporter = new PrometheusExporter({ meter, port: 0, env: {}, maxConcurrentScrapes: 2, shareWindowMs: 3_000 });
    running = exporter;
    const url = `${await exporter.start()}/metrics`;
    // A slow reader holds its slot: the body is larger than the socket buffers.
    const held = await new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest(url, { agent: false }, resolve).on('error', reject).end();
    });
    held.pause();
    const late = await get(url, new Agent(), { 'x-prometheus-scrape-timeout-seconds': '1' });
    expect(late.status).toBe(503);
    expect(late.headers['retry-after']).toBe('1');
    expect(late.body.toString()).toContain('X-Prometheus-Scrape-Timeout-Seconds');
    // Beyond the cap, the refusal comes within half the scraper's timeout, not after the 3 s window.
    const second = new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest(url, { agent: false }, resolve).on('error', reject).end();
    });
    await sleep(50);
    const refused = await get(url, new Agent(), { 'x-prometheus-scrape-timeout-seconds': '0.2' });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body.toString()).toContain('Too many concurrent scrapes');
    held.resume();
    (await second).resume();
  });
});
