import { createAgentMeter } from '@agentmeter/core';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { simulateTurn, watchDependencies } from './traffic.ts';

/**
 * The first demo: a meter fed by simulated traffic, served on /metrics, /api/metrics and /api/health.
 * AGENTMETER_DEMO_PORT picks the port (default 9464, 0 for any free one);
 * AGENTMETER_DEMO_SECONDS stops it after that many seconds (for tests).
 */
const port = Number(process.env['AGENTMETER_DEMO_PORT'] ?? 9464);
const seconds = Number(process.env['AGENTMETER_DEMO_SECONDS'] ?? 0);

const meter = createAgentMeter({ attributes: { requests: ['scene', 'character'] } });
const exporter = new PrometheusExporter({
  meter, port,
  // The demo has no real dependencies; this check proves the event loop still turns.
  health: { checks: { event_loop: () => new Promise((resolve) => setImmediate(() => resolve(true))) } },
});
const provider = new MeterProvider({ readers: [exporter] });
const url = await exporter.start();
console.log(`agentmeter demo: metrics at ${url}/metrics, JSON at ${url}/api/metrics, health at ${url}/api/health`);

watchDependencies(meter);
let turns = 0;
const traffic = setInterval(() => {
  turns++;
  void simulateTurn(meter);
}, 50);

async function stop(): Promise<void> {
  clearInterval(traffic);
  await provider.shutdown();
  console.log(`agentmeter demo: stopped after ${turns} simulated turns`);
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (seconds > 0) setTimeout(() => void stop(), seconds * 1000);
