import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgentMeter } from '@agentmeter/core';
import { createTestReader } from '@agentmeter/core/testing';
import { instrumentWebSocketServer, payloadBytes } from '@agentmeter/node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { dataProblems } from '../src/checks.ts';
import { reportFigure } from '../src/figures.ts';
import { FUZZ_SEED, hostileString, hostileValue } from '../src/hostile.ts';

const RUNS = Number(process.env['AGENTMETER_FUZZ_WRAPPER_RUNS'] ?? 60);
const meter = createAgentMeter({ attributes: { websocket: ['channel'], sessions: ['kind'] } });
const reader = createTestReader(meter);
const server = createServer();
const wss = new WebSocketServer({ server });
let url: string;
let calls = 0;
/** What the next connection's `attributes` and `sessions` callbacks hand back (or throw). */
let upgrade: { attributes: unknown; sessions: unknown; throws: boolean } = {
  attributes: undefined,
  sessions: undefined,
  throws: false,
};

beforeAll(async () => {
  instrumentWebSocketServer(wss, {
    meter,
    attributes: () => {
      if (upgrade.throws) throw new Error('attributes callback throws');
      return upgrade.attributes as never;
    },
    sessions: () => upgrade.sessions as never,
  });
  // The application: echoes every message back as it came.
  wss.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  reportFigure('calls fuzzed: @agentmeter/node WebSocket instrumentation', calls);
  wss.close();
  await new Promise((resolve) => server.close(resolve));
  await reader.shutdown();
});

/** Sends every payload and waits for each echo; resolves with what came back. */
function echo(payloads: readonly (string | Buffer)[]): Promise<Buffer[]> {
  const socket = new WebSocket(url);
  const received: Buffer[] = [];
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.on('message', (data) => {
      received.push(Buffer.from(data as Buffer));
      if (received.length === payloads.length) socket.close();
    });
    socket.once('close', () => resolve(received));
    socket.once('open', () => {
      if (payloads.length === 0) socket.close();
      for (const payload of payloads) socket.send(payload);
    });
  });
}

describe('@agentmeter/node WebSocket instrumentation under fuzzed payloads and callbacks', () => {
  it('echoes every payload unchanged and counts messages and bytes exactly, whatever the callbacks return', async () => {
    const payload = fc.oneof(
      hostileString.filter((text) => text.length < 300_000),
      fc.uint8Array({ maxLength: 70_000 }).map((bytes) => Buffer.from(bytes)),
    );
    let messages = 0;
    let bytes = 0;
    let connections = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(payload, { maxLength: 6 }),
        hostileValue,
        fc.oneof(hostileValue, fc.constant(true)),
        fc.boolean(),
        async (payloads, attributes, sessions, throws) => {
          upgrade = { attributes, sessions, throws };
          const received = await echo(payloads);
          calls += 1 + payloads.length;
          connections++;
          expect(received.map((data) => data.toString('base64'))).toEqual(
            payloads.map((sent) => Buffer.from(sent).toString('base64')),
          );
          messages += payloads.length;
          bytes += payloads.reduce((sum, sent) => sum + Buffer.byteLength(sent), 0);
        },
      ),
      { numRuns: RUNS, seed: 61 + FUZZ_SEED },
    );
    // Closing is asynchronous on the server side: wait until every connection is gone.
    while (wss.clients.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const snapshot = await reader.collect();
    expect(dataProblems(snapshot, 2_000)).toEqual([]);
    const sum = (name: string, direction?: string): number =>
      snapshot
        .points(name)
        .filter((point) => direction === undefined || point.attributes['direction'] === direction)
        .reduce((total, point) => total + (point.value as number), 0);
    expect(sum(meter.instruments.websocketMessages.otelName, 'in')).toBe(messages);
    expect(sum(meter.instruments.websocketMessages.otelName, 'out')).toBe(messages);
    expect(sum(meter.instruments.websocketTraffic.otelName, 'in')).toBe(bytes);
    expect(sum(meter.instruments.websocketTraffic.otelName, 'out')).toBe(bytes);
    expect(sum(meter.instruments.websocketConnectionsActive.otelName)).toBe(0);
    const durations = snapshot
      .points(meter.instruments.websocketConnectionDuration.otelName)
      .reduce((total, point) => total + (point.value as { count: number }).count, 0);
    expect(durations).toBe(connections);
  });

  it('payloadBytes never throws and counts what ws would send', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostileValue,
          fc.array(
            fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
            { maxLength: 4 },
          ),
        ),
        (data) => {
          calls++;
          const size = payloadBytes(data);
          expect(Number.isInteger(size) && size >= 0).toBe(true);
        },
      ),
      { numRuns: RUNS * 50, seed: 62 + FUZZ_SEED },
    );
  });
});
