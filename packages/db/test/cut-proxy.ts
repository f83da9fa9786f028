import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** A loopback TCP proxy in front of a real database server that can cut a connection mid-result. */
export interface CutProxy {
  readonly port: number;
  /** From now on, the first bytes the server sends (a query's result) are passed on, then both sides are cut. */
  arm(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 to the server on `port`. Once armed, a connection is destroyed
 * a few milliseconds after the server's first answer arrives, so a large result is cut short
 * after its first chunk: a connection dropped mid-body, on the real wire protocol.
 */
export async function startCutProxy(port: number): Promise<CutProxy> {
  let armed = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      client.write(chunk);
      if (armed) {
        setTimeout(() => {
          client.destroy();
          upstream.destroy();
        }, 5);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    arm: () => {
      armed = true;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
