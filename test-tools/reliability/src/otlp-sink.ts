import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeOtlpJson, type ReceivedExport } from '../../../packages/node/test/otlp-receiver.ts';

/** How the collector behaves: answers, refuses connections, never answers, or answers 500. */
export type SinkMode = 'ok' | 'refuse' | 'hang' | 'error';

export interface OtlpSink {
  readonly url: string;
  /** Exports decoded while the sink answered 200. */
  readonly exports: ReceivedExport[];
  /** Requests that reached the sink in each mode (refused connections never arrive). */
  readonly attempts: Record<SinkMode, number>;
  readonly mode: SinkMode;
  setMode(mode: SinkMode): Promise<void>;
  close(): Promise<void>;
}

/**
 * A loopback OTLP/HTTP metrics endpoint whose outage the test controls. `refuse` closes the
 * listener (connections are refused) and `ok` listens again on the same port.
 */
export async function startOtlpSink(): Promise<OtlpSink> {
  const exports: ReceivedExport[] = [];
  const attempts: Record<SinkMode, number> = { ok: 0, refuse: 0, hang: 0, error: 0 };
  const held = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let mode: SinkMode = 'ok';

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      attempts[mode]++;
      if (mode === 'hang') {
        held.add(response);
        response.on('close', () => held.delete(response));
        return;
      }
      if (mode === 'error') {
        response.writeHead(500, { 'content-type': 'application/json' }).end('{"code":13,"message":"collector down"}');
        return;
      }
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      exports.push(decodeOtlpJson(body, request.headers['content-type']));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  const port = await listen(0);

  return {
    url: `http://127.0.0.1:${port}/v1/metrics`,
    exports,
    attempts,
    get mode() {
      return mode;
    },
    async setMode(next) {
      for (const response of held) response.destroy();
      held.clear();
      if (next === 'refuse') await stop();
      else if (!server.listening) await listen(port);
      mode = next;
    },
    close: async () => {
      for (const response of held) response.destroy();
      await stop();
    },
  };
}
