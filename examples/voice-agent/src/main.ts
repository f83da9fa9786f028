import { needsSimulator, readConfig } from './config.ts';
import { startService } from './service.ts';
import { type DemoSimulator, simulatorOptionsFromEnv, startDemoSimulator } from './simulator.ts';

/**
 * The voice-agent service on its own: `pnpm --filter @agentmeter/example-voice-agent start`.
 * Providers without an API key in the environment go to the provider simulator: the one given in
 * VOICE_AGENT_SIMULATOR (as `pnpm demo` does), or one started in this process.
 */
const config = readConfig();
let simulator: DemoSimulator | undefined;
let effective = config;
if (config.simulator === undefined && needsSimulator(config)) {
  simulator = await startDemoSimulator(simulatorOptionsFromEnv());
  effective = { ...config, simulator: simulator.urls };
}
const service = await startService(effective);
const ready = { url: service.url, database: service.database, cache: service.cache, simulated: service.simulated };
// Spawned by the demo (with an IPC channel): report there; run by hand: tell the person.
if (process.send !== undefined) process.send({ type: 'ready', ...ready });
else {
  console.log(`voice-agent listening on ${service.url} (database ${service.database}, cache ${service.cache})`);
  console.log(`  metrics ${service.url}/metrics  ${service.url}/api/metrics  ${service.url}/api/health`);
  if (service.simulated.length > 0) console.log(`  simulated providers: ${service.simulated.join(', ')}`);
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await service.close();
  await simulator?.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
