import { unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import type { HubTransport, MetricsHub } from './hub.ts';
import type { MemberChannel } from './member.ts';
import { isHubMessage, isMemberMessage, type HubMessage, type MemberMessage } from './protocol.ts';

/**
 * Under PM2 cluster mode the cluster primary is PM2's daemon, which runs no agentmeter: instance 0
 * serves the merged /metrics and the other instances reach it over a local socket named after
 * the metrics port (one app per port on a host).
 */
export function hubSocketPath(port: number): string {
  if (process.platform === 'win32') return `\\\\?\\pipe\\agentmeter-${port}`;
  return join(tmpdir(), `agentmeter-${process.getuid?.() ?? 0}-${port}.sock`);
}

/** One JSON message per line; chunks are joined only when a line is complete. */
function readLines(socket: Socket, receive: (message: unknown) => void): void {
  let parts: string[] = [];
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end >= 0; end = chunk.indexOf('\n', start)) {
      parts.push(chunk.slice(start, end));
      const line = parts.join('');
      parts = [];
      start = end + 1;
      try {
        receive(JSON.parse(line));
      } catch {
        // Not ours: ignored.
      }
    }
    if (start < chunk.length) parts.push(chunk.slice(start));
  });
}

function write(socket: Socket, message: HubMessage | MemberMessage): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed || !socket.writable) return resolve();
    socket.write(`${JSON.stringify(message)}\n`, () => resolve());
  });
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** A socket file left by a hub that died is removed; a live hub's is left alone. */
async function listenReplacingStale(server: Server, path: string): Promise<void> {
  try {
    await listen(server, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    const alive = await new Promise<boolean>((resolve) => {
      const probe = createConnection(path, () => {
        probe.destroy();
        resolve(true);
      });
      probe.on('error', () => resolve(false));
    });
    if (alive) throw error;
    unlinkSync(path);
    await listen(server, path);
  }
}

/** Instance 0's side: members connect; a closed connection is a member gone for good. */
export function socketHubTransport(hub: MetricsHub, path: string): HubTransport {
  const sockets = new Map<Socket, Set<string>>();
  const server = createServer((socket) => {
    const members = new Set<string>();
    sockets.set(socket, members);
    readLines(socket, (message) => {
      if (!isMemberMessage(message)) return;
      members.add(message.member);
      hub.receive(message);
      if (message.agentmeter === 'hello') void write(socket, { agentmeter: 'welcome', request: 0 });
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      hub.depart(members);
    });
  });
  server.unref();
  listenReplacingStale(server, path).catch((error: Error) => {
    diag.warn(
      `agentmeter: PM2 instance 0 could not open ${path} for the other instances' metrics (${error.message}); /metrics shows instance 0 alone`,
    );
  });
  return {
    ask: (request) => {
      for (const socket of sockets.keys()) void write(socket, { agentmeter: 'collect', request });
    },
    close: () => {
      server.close();
      for (const socket of sockets.keys()) socket.destroy();
    },
  };
}

/** Another instance's side: connects to instance 0, and reconnects when it restarts. */
export function socketMemberChannel(path: string): MemberChannel {
  let socket: Socket | undefined;
  let receive: ((message: HubMessage) => void) | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = (): void => {
    const attempt = createConnection(path);
    attempt.unref();
    attempt.on('connect', () => {
      socket = attempt;
      // Connected (again): say hello, through the member's own announce handling.
      receive?.({ agentmeter: 'announce', request: 0 });
    });
    readLines(attempt, (message) => {
      if (isHubMessage(message)) receive?.(message);
    });
    attempt.on('error', () => attempt.destroy());
    attempt.on('close', () => {
      if (socket === attempt) socket = undefined;
      if (!stopped) retry = setTimeout(connect, 500).unref();
    });
  };
  return {
    send: (message) => (socket === undefined ? undefined : write(socket, message)),
    listen: (handler) => {
      receive = handler;
      connect();
      return () => {
        stopped = true;
        clearTimeout(retry);
        socket?.end();
      };
    },
  };
}
