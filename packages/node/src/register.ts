// `node --import @agentmeter/node/register app.js`: agentmeter configured by environment variables only.
import { register } from 'node:module';
import { start } from './start.ts';

// import-in-the-middle's loader hook, so ESM imports of express and friends get instrumented.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const handle = start();

/** Flushes on SIGTERM/SIGINT; if the app has no handler of its own, the signal then ends the process as usual. */
function flushOn(signal: NodeJS.Signals): void {
  process.once(signal, () => {
    void handle.shutdown().finally(() => {
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  });
}
flushOn('SIGTERM');
flushOn('SIGINT');
process.once('beforeExit', () => void handle.shutdown());
