import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createAgentMeter } from '@agentmeter/core';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { emptyResource } from '@opentelemetry/resources';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SharedCollections, type BodyKind } from '../../../packages/prometheus/src/collections.ts';
import { ExpositionWriter } from '../../../packages/prometheus/src/serialize/exposition.ts';
import { FamilyBuilder } from '../../../packages/prometheus/src/serialize/families.ts';
import { parseExposition, valueOf } from '../../../packages/prometheus/test/support/parse.ts';

/**
 * A body's buffer goes back to the writer once every response that carried it has closed, so a
 * flood of rounds reuses a few buffers instead of leaving megabytes for a full GC (issue 14). A
 * body still being read must never be written over.
 */
/** A body larger than loopback sockets buffer (several MB), so the slow reader's body waits in the process. */
const SERIES = 250_000;
let running: PrometheusExporter | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

function readAll(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    response.on('end', () => resolve(Buffer.concat(chunks)));
    response.on('error', reject);
  });
}

function get(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent: false }, (response) => {
      void readAll(response).then((body) => resolve({ status: response.statusCode!, body }), reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('body buffers are reused only once nothing reads them (issue 14)', () => {
  it('hands a body read slowly its own bytes, while later rounds reuse the buffers of finished ones', async () => {
    const meter = createAgentMeter({ seriesLimit: 2 * SERIES, attributes: { requests: ['route'] } });
    for (let i = 0; i < SERIES; i++) meter.instruments.requests.add(1, { route: `/r/${i}`, status: 'ok' });
    const exporter = new PrometheusExporter({ meter, port: 0, env: {}, scopeLabels: false });
    running = exporter;
    const url = `${await exporter.start()}/metrics`;
    const written: Buffer[] = [];
    const recycled: ArrayBufferLike[] = [];
    const write = ExpositionWriter.prototype.write;
    vi.spyOn(ExpositionWriter.prototype, 'write').mockImplementation(async function (this: ExpositionWriter, ...args) {
      const body = await write.apply(this, args);
      written.push(body);
      return body;
    });
    const recycle = ExpositionWriter.prototype.recycle;
    vi.spyOn(ExpositionWriter.prototype, 'recycle').mockImplementation(function (this: ExpositionWriter, format, body) {
      recycled.push(body.buffer);
      recycle.call(this, format, body);
    });
    // A first round sizes the writer's buffers; from then on each body fits the buffer of the last.
    expect((await get(url)).status).toBe(200);
    meter.instruments.requests.add(1, { route: '/r/0', status: 'ok' });
    // A reader that takes a few bytes and stops: its body (megabytes) stays in the socket's queue.
    const slow = await new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest(url, { agent: false }, resolve).on('error', reject).end();
    });
    slow.pause();
    // The slow round's buffer may be one an earlier round gave back: count from here on.
    const fromSlow = recycled.length;
    // Rounds after it, each with other values, each read in full (their buffers go back and are reused).
    for (let round = 3; round <= 7; round++) {
      meter.instruments.requests.add(1, { route: '/r/0', status: 'ok' });
      const { status, body } = await get(url);
      expect(status).toBe(200);
      const parsed = parseExposition(body, 'text');
      expect(valueOf(parsed, 'agentmeter_requests_total', { route: '/r/0', status: 'ok' })).toBe(round);
      expect(parsed.samples.length).toBeGreaterThanOrEqual(SERIES);
    }
    // Every round's buffer went back, except the one the slow reader's socket still holds.
    const slowBuffer = written[1]!.buffer;
    expect(written.length).toBe(7);
    expect(recycled.slice(fromSlow)).toHaveLength(5);
    expect(recycled.slice(fromSlow)).not.toContain(slowBuffer);
    slow.resume();
    const parsed = parseExposition(await readAll(slow), 'text');
    await vi.waitFor(() => expect(recycled.slice(fromSlow)).toContain(slowBuffer));
    vi.restoreAllMocks();
    expect(parsed.samples.length).toBeGreaterThanOrEqual(SERIES);
    expect(valueOf(parsed, 'agentmeter_requests_total', { route: '/r/0', status: 'ok' })).toBe(2);
    expect(valueOf(parsed, 'agentmeter_requests_total', { route: `/r/${SERIES - 1}`, status: 'ok' })).toBe(1);
  });

  it('gives back a round body once its round is over and every taker released it, never one a taker keeps', async () => {
    const recycled: string[] = [];
    const rendered: Buffer[] = [];
    const shared = new SharedCollections(
      () =>
        Promise.resolve({
          resourceMetrics: { resource: emptyResource(), scopeMetrics: [] },
          families: [],
        }),
      (_collected, kind) => {
        const bytes = Buffer.alloc(100_000, kind === 'text' ? 't' : 'o');
        rendered.push(bytes);
        return Promise.resolve(bytes);
      },
      1000,
      (kind: BodyKind, bytes: Buffer) => recycled.push(`${kind}:${rendered.indexOf(bytes)}`),
    );
    const round = await shared.fresh();
    const [text, again, openMetrics, gzipped] = await Promise.all([
      round.body('text', false),
      round.body('text', false),
      round.body('openmetrics', false),
      round.body('text', true),
    ]);
    expect(gzipped.gzip).toBe(true);
    text.release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The round is over, but one taker still holds the text body; OpenMetrics is held too.
    expect(recycled).toEqual([]);
    again.release();
    again.release(); // once per taker, however often it is called
    gzipped.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(recycled).toEqual(['text:0']);
    // openMetrics is never released (a taker such as render() that keeps its bytes): never reused.
    void openMetrics;
    const next = await shared.fresh();
    const kept = await next.body('openmetrics', false);
    kept.release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recycled).toEqual(['text:0', 'openmetrics:2']);
  });

  it('writes a reused buffer from its start, whatever the registry size was before', async () => {
    const meter = createAgentMeter({ seriesLimit: 100_000, attributes: { requests: ['route'] } });
    const writer = new ExpositionWriter({ scopeLabels: false });
    const families = new FamilyBuilder('agentmeter');
    const render = async (): Promise<Buffer> => {
      const { resourceMetrics } = await meter.metricProducer!.collect();
      return writer.write(families.families(resourceMetrics), {}, 'text');
    };
    for (let i = 0; i < 3_000; i++) meter.instruments.requests.add(1, { route: `/long/route/${i}`, status: 'ok' });
    const big = await render();
    writer.recycle('text', big);
    // The same memory, now written with a different body: every byte of the new body is its own.
    const first = await render();
    expect(first.buffer).toBe(big.buffer);
    expect(parseExposition(first, 'text').samples).toHaveLength(3_000);
    writer.recycle('text', first);
    const meterSmall = createAgentMeter({ attributes: { requests: ['route'] } });
    meterSmall.instruments.requests.add(7, { route: '/x', status: 'ok' });
    const { resourceMetrics } = await meterSmall.metricProducer!.collect();
    const small = await writer.write(families.families(resourceMetrics), {}, 'text');
    const parsed = parseExposition(small, 'text');
    expect(parsed.samples).toHaveLength(1);
    expect(valueOf(parsed, 'agentmeter_requests_total', { route: '/x', status: 'ok' })).toBe(7);
  });
});
