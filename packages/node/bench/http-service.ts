// The service under load for overhead.bench.ts: `node http-service.ts <variant>` prints its port.
import { createServer } from 'node:http';
import { start } from '../src/index.ts';
import type { StartOptions } from '../src/index.ts';

const VARIANTS: Record<string, StartOptions | undefined> = {
  baseline: undefined,
  start: { prometheus: { host: '127.0.0.1', port: 0 } },
  'start, http off': { prometheus: { host: '127.0.0.1', port: 0 }, http: false },
  'start, http without active requests and client': { prometheus: { host: '127.0.0.1', port: 0 }, http: { activeRequests: false, client: false } },
};
const variant = process.argv[2] ?? 'baseline';
if (!(variant in VARIANTS)) throw new Error(`unknown variant ${variant}`);
const options = VARIANTS[variant];
const handle = options === undefined ? undefined : start({ ...options, diagLogger: false });
await handle?.ready;

const body = JSON.stringify({ ok: true, items: [1, 2, 3] });
const server = createServer((_request, response) => {
  response.setHeader('content-type', 'application/json');
  response.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
// CPU time over IPC (not HTTP, so reading it adds no instrumented request).
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMicros: user + system });
  }
});
process.on('SIGTERM', () => {
  process.disconnect?.();
  server.close();
  void (handle?.shutdown() ?? Promise.resolve()).then(() => process.exit(0));
});
