// A load generator in a process of its own (`node load-process.ts <url> <connections>`), so that a bench
// can pause it with SIGSTOP and resume it with SIGCONT while its connections stay open. It counts
// responses and answers `count` over IPC.
import autocannon from 'autocannon';

const [url, connections] = [process.argv[2]!, Number(process.argv[3] ?? 16)];
/** A day: longer than any bench keeps a load (autocannon's stop timer must stay under 2^31 ms). */
const FOREVER_SECONDS = 86_400;

let responses = 0;
let failures = 0;
const answered = new Set<autocannon.Client>();
// With a callback, autocannon returns its instance (without one, a promise of the result).
const instance = autocannon({ url, connections, duration: FOREVER_SECONDS }, () => {});
instance.on('response', (client, statusCode) => {
  if (statusCode >= 200 && statusCode < 300) responses++;
  else failures++;
  if (answered.size < connections) answered.add(client);
});
instance.on('reqError', () => void failures++);

/** What the bench reads: responses so far, failures, and whether every connection has had an answer. */
export interface LoadCount {
  responses: number;
  failures: number;
  connected: boolean;
  /** This process's user + system CPU time so far, in microseconds. */
  cpuMicros: number;
}

process.on('message', (message) => {
  if (message === 'count') {
    const { user, system } = process.cpuUsage();
    const connected = answered.size === connections;
    process.send?.({ responses, failures, connected, cpuMicros: user + system } satisfies LoadCount);
  }
});
process.on('disconnect', () => {
  instance.stop();
  process.exit(0);
});
