import { describe, expect, it } from 'vitest';
import { closedPort, requireServer } from './servers.ts';

describe('requireServer', () => {
  it('fails, never skips, when a server is down, and says how to start it', async () => {
    const port = await closedPort();
    await expect(requireServer('Redis', port)).rejects.toThrow(
      new RegExp(
        `^Redis is not listening on 127\\.0\\.0\\.1:${port}; these tests need the real server\\. Start it with: redis-server --daemonize yes`,
      ),
    );
    await expect(requireServer('PostgreSQL', port)).rejects.toThrow(
      /Start it with: pg_ctlcluster --skip-systemctl-redirect/,
    );
    await expect(requireServer('MariaDB', port)).rejects.toThrow(
      /Start it with: start-stop-daemon --start --oknodo --background --exec \/usr\/sbin\/mariadbd/,
    );
  });
});
