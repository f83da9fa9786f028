import { simulatorOptionsFromEnv, startDemoSimulator } from './simulator.ts';

/**
 * The provider simulator as a process of its own: prints its URLs as one JSON line, then serves
 * until SIGINT/SIGTERM or until the parent that spawned it (with an IPC channel) goes away.
 */
const simulator = await startDemoSimulator(simulatorOptionsFromEnv());
if (process.send !== undefined) process.send({ type: 'ready', urls: simulator.urls });
else console.log(JSON.stringify(simulator.urls));

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await simulator.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
// A demo parent that dies without cleaning up must not leave the simulator behind.
process.on('disconnect', () => void stop());
