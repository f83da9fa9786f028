import { createServer } from 'node:http';
import { createAgentMeter } from '@agentmeter/core';
import type { AgentMeter } from '@agentmeter/core';
import { createTestReader, wrapTwiceRuns } from '@agentmeter/core/testing';
import type { TestReader } from '@agentmeter/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { instrumentWebSocketServer, payloadBytes } from '../src/index.ts';
import { close, listen } from './helpers.ts';

let meter: AgentMeter;
let reader: TestReader;
let wss: WebSocketServer;
let port: number;
const server = createServer();

beforeEach(async () => {
  meter = createAgentMeter({ attributes: { websocket: ['channel'], sessions: ['kind'] } });
  reader = createTestReader(meter);
  wss = new WebSocketServer({ server });
  port = await listen(server);
});
afterEach(async () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  await close(server);
  await reader.shutdown();
});

/** Messages are queued from the start: a greeting can arrive in the same chunk as the upgrade. */
const inbox = new WeakMap<WebSocket, { queue: string[]; waiting: Array<(message: string) => void> }>();
function connect(path = '/'): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  const box = { queue: [] as string[], waiting: [] as Array<(message: string) => void> };
  inbox.set(socket, box);
  socket.on('message', (data) => {
    const waiter = box.waiting.shift();
    if (waiter) waiter(String(data));
    else box.queue.push(String(data));
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}
const closed = (socket: { once(event: 'close', fn: () => void): unknown }): Promise<void> =>
  new Promise((resolve) => socket.once('close', () => resolve()));
function nextMessage(socket: WebSocket): Promise<string> {
  const box = inbox.get(socket)!;
  const queued = box.queue.shift();
  return queued !== undefined ? Promise.resolve(queued) : new Promise((resolve) => box.waiting.push(resolve));
}

describe('instrumentWebSocketServer with a real ws server and client', () => {
  it('counts connections, messages and bytes each way, and connection duration', async () => {
    instrumentWebSocketServer(wss, {
      meter,
      attributes: (request) => ({ channel: request.url === '/voice' ? 'voice' : 'chat' }),
    });
    wss.on('connection', (socket) => {
      socket.send('welcome'); // sent by a handler registered after instrumenting: still counted
      socket.on('message', (data, isBinary) => socket.send(isBinary ? data : `echo:${String(data)}`));
    });
    const client = await connect('/voice');
    expect(await nextMessage(client)).toBe('welcome');
    let snapshot = await reader.collect();
    expect(snapshot.value('agentmeter.websocket.connections_active', { channel: 'voice' })).toBe(1);

    client.send('héllo'); // 6 bytes in UTF-8
    expect(await nextMessage(client)).toBe('echo:héllo');
    client.send(Buffer.alloc(1000, 1));
    await nextMessage(client);
    const serverSide = closed([...wss.clients][0]!);
    client.close(1000, 'bye');
    await serverSide;

    snapshot = await reader.collect();
    const voiceIn = { channel: 'voice', direction: 'in' };
    const voiceOut = { channel: 'voice', direction: 'out' };
    expect(snapshot.value('agentmeter.websocket.messages', voiceIn)).toBe(2);
    expect(snapshot.value('agentmeter.websocket.messages', voiceOut)).toBe(3);
    expect(snapshot.value('agentmeter.websocket.traffic', voiceIn)).toBe(6 + 1000);
    expect(snapshot.value('agentmeter.websocket.traffic', voiceOut)).toBe(7 + 11 + 1000);
    expect(snapshot.value('agentmeter.websocket.connections_active', { channel: 'voice' })).toBe(0);
    const duration = snapshot.histogram('agentmeter.websocket.connection_duration', { channel: 'voice' });
    expect(duration?.count).toBe(1);
    expect(duration!.sum).toBeGreaterThan(0);
    // No sessions unless asked for.
    expect(snapshot.value('agentmeter.sessions')).toBeUndefined();
  });

  it('records an abruptly dropped connection once, and maps connections to sessions', async () => {
    instrumentWebSocketServer(wss, {
      meter,
      sessions: (request) => (request.url === '/session' ? { kind: 'voice' } : false),
    });
    const a = await connect('/session');
    const b = await connect('/session');
    const plain = await connect('/plain');
    let snapshot = await reader.collect();
    expect(snapshot.value('agentmeter.websocket.connections_active')).toBe(3);
    expect(snapshot.value('agentmeter.active_sessions', { kind: 'voice' })).toBe(2);
    expect(snapshot.value('agentmeter.sessions', { kind: 'voice' })).toBe(2);

    const [first] = [...wss.clients];
    const dropped = closed(first!);
    a.terminate(); // the TCP connection is destroyed without a close frame (code 1006 on the server)
    await dropped;
    snapshot = await reader.collect();
    expect(snapshot.value('agentmeter.websocket.connections_active')).toBe(2);
    expect(snapshot.value('agentmeter.active_sessions', { kind: 'voice' })).toBe(1);
    expect(snapshot.histogram('agentmeter.session.duration', { kind: 'voice' })?.count).toBe(1);
    expect(snapshot.histogram('agentmeter.websocket.connection_duration')?.count).toBe(1);

    const rest = [...wss.clients].map(closed);
    b.close();
    plain.terminate();
    await Promise.all(rest);
    snapshot = await reader.collect();
    expect(snapshot.value('agentmeter.websocket.connections_active')).toBe(0);
    expect(snapshot.value('agentmeter.active_sessions', { kind: 'voice' })).toBe(0);
    expect(snapshot.value('agentmeter.sessions', { kind: 'voice' })).toBe(2);
    expect(snapshot.histogram('agentmeter.session.duration', { kind: 'voice' })?.count).toBe(2);
    expect(snapshot.histogram('agentmeter.websocket.connection_duration')?.count).toBe(3);
  });

  it('does not count sends on a closed socket, and survives hooks that throw', async () => {
    instrumentWebSocketServer(wss, {
      meter,
      sessions: true,
      attributes: () => {
        throw new Error('hook bug');
      },
    });
    const sendErrors: unknown[] = [];
    const serverClosed = new Promise<void>((resolve) => {
      wss.on('connection', (socket) => {
        socket.on('close', () => {
          socket.send('too late', (error) => sendErrors.push(error));
          resolve();
        });
      });
    });
    const client = await connect();
    client.close();
    await serverClosed;
    const snapshot = await reader.collect();
    expect(snapshot.value('agentmeter.websocket.messages', { direction: 'out' })).toBe(0);
    expect(snapshot.value('agentmeter.websocket.traffic', { direction: 'out' })).toBe(0);
    expect(sendErrors).toHaveLength(1);
    expect(snapshot.value('agentmeter.sessions')).toBe(1);
    expect(snapshot.value('agentmeter.active_sessions')).toBe(0);
  });

  it('keeps hostile attribute values and unknown keys out of the labels', async () => {
    instrumentWebSocketServer(wss, {
      meter,
      attributes: () => ({ channel: 'x'.repeat(10_000), api_key: 'sk-secret', nan: Number.NaN }),
    });
    const client = await connect();
    const snapshot = await reader.collect();
    const points = snapshot.points('agentmeter.websocket.connections_active');
    expect(points.map((point) => point.attributes)).toEqual([{ channel: '_too_long' }]);
    expect(points[0]!.value).toBe(1);
    const serverSide = closed([...wss.clients][0]!);
    client.close();
    await serverSide;
  });

  it('wrapping a server again changes nothing a scrape sees, and warns once when the options differ', async () => {
    /** A server of its own per run, and the client that talks to it. */
    interface Served {
      wss: WebSocketServer;
      http: ReturnType<typeof createServer>;
      port: number;
    }
    const runs = await wrapTwiceRuns(
      async (): Promise<Served> => {
        const http = createServer();
        const own = new WebSocketServer({ server: http });
        own.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
        return { wss: own, http, port: await listen(http) };
      },
      (served, options) => instrumentWebSocketServer((served as Served).wss, options),
      async (served) => {
        const { wss: own, port: ownPort } = served as Served;
        const socket = new WebSocket(`ws://127.0.0.1:${ownPort}/`);
        await new Promise((resolve) => socket.once('open', resolve));
        const echoed = new Promise((resolve) => socket.once('message', resolve));
        socket.send('ping');
        await echoed;
        const serverSide = [...own.clients][0]!;
        const serverClosed = closed(serverSide);
        socket.close();
        await serverClosed;
      },
      (otherMeter) => [
        { meter: otherMeter, sessions: true },
        { meter: createAgentMeter(), attributes: () => ({ channel: 'other' }) },
      ],
      async (served) => {
        (served as Served).wss.close();
        await close((served as Served).http);
      },
    );
    expect(runs.map((run) => run.warnings.length)).toEqual([0, 0, 1]);
    expect(runs[2]!.warnings[0]).toMatch(/instrumentWebSocketServer: this client is already instrumented/);
    expect(runs[0]!.lines.some((line) => line.includes('websocket.messages'))).toBe(true);
    expect(runs[1]!.lines).toEqual(runs[0]!.lines);
    expect(runs[2]!.lines).toEqual(runs[0]!.lines);
  });

  it('rejects bad arguments at creation', () => {
    expect(() => instrumentWebSocketServer({} as never, { meter })).toThrow(/ws WebSocketServer/);
    expect(() => instrumentWebSocketServer(wss, { meter, sessions: 'yes' as never })).toThrow(/sessions must be/);
    expect(() => instrumentWebSocketServer(wss, { meter, attributes: {} as never })).toThrow(
      /attributes must be a function/,
    );
    expect(() => instrumentWebSocketServer(wss, null as never)).toThrow(/options must be an object/);
    expect(() => instrumentWebSocketServer(wss)).toThrow(/pass \{ meter \}.*or call start\(\) first/);
  });

  it('measures payload sizes of every shape ws uses', () => {
    expect(payloadBytes('abc')).toBe(3);
    expect(payloadBytes('€')).toBe(3);
    expect(payloadBytes(Buffer.alloc(10))).toBe(10);
    expect(payloadBytes(new ArrayBuffer(7))).toBe(7);
    expect(payloadBytes(new Uint16Array(4))).toBe(8);
    expect(payloadBytes([Buffer.alloc(2), Buffer.alloc(3)])).toBe(5);
    expect(payloadBytes(undefined)).toBe(0);
    expect(payloadBytes(42)).toBe(0);
  });
});
