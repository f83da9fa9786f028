import { createConnection } from 'node:net';

/** How to start each local server (the machine notes' commands). */
const START: Readonly<Record<string, string>> = {
  PostgreSQL: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  MariaDB: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
  Redis:
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
};

/**
 * Fails (never skips) when a server the tests need is down, saying how to start it:
 * a green run must mean the wrappers were checked against the real server.
 */
export async function requireServer(name: 'PostgreSQL' | 'MariaDB' | 'Redis', port: number): Promise<void> {
  const up = await new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(3000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
  if (!up) {
    throw new Error(
      `${name} is not listening on 127.0.0.1:${port}; these tests need the real server. Start it with: ${START[name]}`,
    );
  }
}

/** A name no parallel run shares: tables and key prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/** A loopback port with nothing listening, for connection-refused tests. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}
