import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { pause, resolveBehavior, type SimBehavior, type SpeechFault, type SpeechSimOptions } from './behavior.ts';
import { LOOPBACK_TLS_CERT, LOOPBACK_TLS_KEY } from './tls.ts';

/** A running speech simulator. */
export interface SpeechSim {
  /** `http://127.0.0.1:<port>`: the base URL to give the SDK client. */
  readonly url: string;
  /** `https://127.0.0.1:<port>` (also `wss://`), when the simulator was started with TLS. */
  readonly tlsUrl: string | undefined;
  /** Faults for the next requests or connections, taken in order. */
  readonly faults: SpeechFault[];
  /** Requests and WebSocket connections served so far (faulted ones included). */
  readonly requests: number;
  /** Closes every listener and destroys open sockets (hung requests included). */
  close(): Promise<void>;
}

export interface SimHttpRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly body: Buffer;
  readonly behavior: SimBehavior;
}

export interface SimRoutes {
  /** Serves an HTTP request that drew no fault; returns false when no route matched. */
  http(request: SimHttpRequest): Promise<boolean>;
  /** Serves a WebSocket connection on `path`. */
  websocket?: {
    path: string;
    /** Rate limits arrive as an error message on the open socket, not as a refused upgrade. */
    inBandRateLimit?: boolean;
    connect(ws: WebSocket, url: URL, fault: SpeechFault | undefined, behavior: SimBehavior): void;
  };
  /** Provider-specific error body for a status. */
  errorBody(status: number, message: string): unknown;
}

/** Starts the HTTP (and optionally TLS) listeners on 127.0.0.1 with ephemeral ports. */
export async function startSpeechServer(
  routes: SimRoutes,
  options: SpeechSimOptions | undefined,
  tls: boolean,
): Promise<SpeechSim> {
  const behavior = resolveBehavior(options);
  const sockets = new Set<Socket>();
  let requests = 0;
  const wss = new WebSocketServer({ noServer: true });

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests++;
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const fault = behavior.nextFault({ method: req.method ?? 'GET', path: url.pathname });
      serveHttp(routes, { req, res, url, body: Buffer.concat(chunks), behavior }, fault).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(routes.errorBody(500, String(error))));
      });
    });
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = routes.websocket;
    if (route === undefined || url.pathname !== route.path) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    requests++;
    const fault = behavior.nextFault({ method: 'GET', path: url.pathname });
    if (fault?.kind === 'rate_limit' && route.inBandRateLimit !== true) {
      socket.end(
        `HTTP/1.1 429 Too Many Requests\r\nretry-after: ${fault.retryAfterSeconds ?? 0}\r\ncontent-length: 0\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => route.connect(ws, url, fault, behavior));
  };

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const servers: Server[] = [createServer(onRequest)];
  if (tls) servers.push(createTlsServer({ key: LOOPBACK_TLS_KEY, cert: LOOPBACK_TLS_CERT }, onRequest));
  const ports: number[] = [];
  for (const server of servers) {
    server.on('connection', track);
    server.on('upgrade', onUpgrade);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ports.push((server.address() as AddressInfo).port);
  }
  return {
    url: `http://127.0.0.1:${ports[0]}`,
    tlsUrl: tls ? `https://127.0.0.1:${ports[1]}` : undefined,
    faults: behavior.faults,
    get requests() {
      return requests;
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

async function serveHttp(routes: SimRoutes, request: SimHttpRequest, fault: SpeechFault | undefined): Promise<void> {
  const { res, behavior } = request;
  if (fault?.kind === 'hang') return;
  await pause(behavior.firstByteMs());
  if (fault?.kind === 'rate_limit') {
    sendJson(res, 429, routes.errorBody(429, 'Too many requests'), {
      'retry-after': String(fault.retryAfterSeconds ?? 0),
    });
    return;
  }
  if (fault?.kind === 'server_error') {
    sendJson(res, 500, routes.errorBody(500, 'Internal server error'));
    return;
  }
  if (fault?.kind === 'abort') {
    // Streamed routes honour `abortAfter`; for the others, cut the connection before the body.
    res.setHeader('x-sim-abort-after', String(fault.afterChunks ?? 1));
  }
  if (!(await routes.http(request))) sendJson(res, 404, routes.errorBody(404, 'Not found'));
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Chunks after which a streamed response is cut, when the request drew an `abort` fault. */
export function abortAfter(res: ServerResponse): number | undefined {
  const header = res.getHeader('x-sim-abort-after');
  return header === undefined ? undefined : Number(header);
}

/**
 * Writes `parts` as a chunked body with the configured gaps, or destroys the connection after
 * `abortAfter` parts. Resolves when done; a client that disconnects ends it early.
 */
export async function streamParts(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  parts: readonly (Buffer | string)[],
  behavior: SimBehavior,
): Promise<void> {
  const cut = abortAfter(res);
  res.removeHeader('x-sim-abort-after');
  res.writeHead(status, headers);
  for (let i = 0; i < parts.length; i++) {
    if (res.destroyed) return;
    if (cut !== undefined && i >= cut) {
      res.socket?.destroy();
      return;
    }
    if (i > 0) await pause(behavior.chunkGapMs());
    // Waiting for each write to flush makes an abort cut exactly after the chunks sent.
    await new Promise<void>((resolve) => res.write(parts[i]!, () => resolve()));
  }
  res.end();
}

/** Splits `total` bytes of deterministic fake audio into `count` chunks. */
export function audioChunks(total: number, count: number): Buffer[] {
  const size = Math.max(1, Math.ceil(total / count));
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < total; offset += size) {
    chunks.push(Buffer.alloc(Math.min(size, total - offset), offset % 251));
  }
  return chunks;
}
