import { createAgentMeter } from '@agentmeter/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { simulateTurn, watchDependencies } from './traffic.ts';

/**
 * The first demo: a meter fed by simulated traffic, served on /metrics.
 * AGENTMETER_DEMO_PORT picks the port (default 9464, 0 for any free one);
 * AGENTMETER_DEMO_SECONDS stops it after that many seconds (for tests).
 */
const port = Number(process.env['AGENTMETER_DEMO_PORT'] ?? 9464);
const seconds = Number(process.env['AGENTMETER_DEMO_SECONDS'] ?? 0);

const meter = createAgentMeter({ attributes: { requests: ['scene', 'character'] } });
const exporter = new PrometheusExporter({ host: '127.0.0.1', port, preventServerStart: true, metricProducers: [meter.metricProducer!] });
const provider = new MeterProvider({ readers: [exporter] });
await exporter.startServer();
const address = (exporter as unknown as { _server: import('node:http').Server })._server.address();
const boundPort = typeof address === 'object' && address !== null ? address.port : port;
console.log(`agentmeter demo: metrics at http://127.0.0.1:${boundPort}/metrics`);

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
