import { createAgentMeter } from '@agentmeter/core';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { PrometheusExporter } from '../src/index.ts';
const meter = createAgentMeter({});
const exporter = new PrometheusExporter({ meter, port: 0 });
const provider = new MeterProvider({ readers: [exporter], resource: resourceFromAttributes({ 'service.name': 'smoke' }) });
provider.getMeter('x').createCounter('my.counter', { description: 'A "quoted" \\ help\nline' }).add(2, { 'a.b': 'x"y\\z\nw' });
meter.instruments.llmLatency.record(0.4, { provider: 'openai', model: 'gpt' });
meter.instruments.requests.add(1, { status: 'ok' });
const url = await exporter.start();
for (const accept of ['', 'application/openmetrics-text;version=1.0.0']) {
  const r = await fetch(url + '/metrics', { headers: { accept } });
  console.log(r.status, r.headers.get('content-type'), '\n' + (await r.text()).split('\n').filter((l) => !l.includes('_bucket') || l.includes('0.5')).join('\n'));
}
console.log(await (await fetch(url + '/api/metrics')).text());
console.log(await (await fetch(url + '/api/health')).text());
await provider.shutdown();
