import { createAgentMeter, PROVIDER_SECONDS } from '@agentmeter/core';
import { PrometheusExporter } from '../src/index.ts';
import { FamilyBuilder } from '../src/serialize/families.ts';
import { ExpositionWriter } from '../src/serialize/exposition.ts';
const N = 10000;
const meter = createAgentMeter({ seriesLimit: N + 10, attributes: { llm: ['route'] } });
for (let i = 0; i < N; i++) for (const v of [0.2, 1.5, (i % 100) / 10]) meter.instruments.llmLatency.record(v, { provider: i % 2 ? 'openai' : 'anthropic', model: `model-${i % 50}`, operation: 'chat', route: `/route/${i}` });
const ex = new PrometheusExporter({ metricProducers: [meter.metricProducer!], env: {} });
const fb = new FamilyBuilder('agentmeter'); const w = new ExpositionWriter();
for (let k = 0; k < 20; k++) {
  const c0 = process.cpuUsage();
  const r = await meter.metricProducer!.collect();
  const c1 = process.cpuUsage(c0);
  const f = fb.families(r.resourceMetrics);
  const s = w.write(f, {}, 'text');
  const c2 = process.cpuUsage(c0);
  const b = s.length;
  const c3 = process.cpuUsage(c0);
  if (k > 14) console.log('collect', c1.user/1000, 'write', (c2.user - c1.user)/1000, 'bytelen', (c3.user-c2.user)/1000);
}
