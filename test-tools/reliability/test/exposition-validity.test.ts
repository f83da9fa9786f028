import { createAgentMeter } from '@agentmeter/core';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../../../packages/prometheus/test/support/parse.ts';
import { promtoolCheck, requireTool } from '../../../packages/prometheus/test/support/tools.ts';
import { captureDiag, type CapturedDiag } from '../src/checks.ts';

let captured: CapturedDiag;
beforeAll(() => {
  captured = captureDiag();
});
afterAll(() => captured.restore());

describe('valid exposition whatever it is given (issue 14)', () => {
  it('writes text and OpenMetrics that parse strictly and pass promtool after hostile SDK names, attributes and colliding families', async () => {
    requireTool('promtool');
    const meter = createAgentMeter({ namespace: 'target' });
    const exporter = new PrometheusExporter({ meter, env: {} });
    const provider = new MeterProvider({
      readers: [exporter],
      resource: resourceFromAttributes({ 'service.name': 'hostile' }),
    });
    const sdk = provider.getMeter('hostile');
    sdk.createCounter('calls').add(1, { '': 'x', __name__: 'evil', 'a.b': '1', a_b: '2', le: '3', é: '4' });
    sdk.createGauge('...').record(1);
    sdk.createHistogram('lat').record(0.5);
    sdk.createCounter('lat_bucket').add(1);
    sdk.createCounter('same').add(1);
    sdk.createGauge('same').record(2);
    meter.increment('orders');
    meter.gauge('orders_created', 1);
    meter.gauge('info', 1);
    for (const format of ['text', 'openmetrics'] as const) {
      const body = await exporter.scrape(format);
      const parsed = parseExposition(body, format);
      expect(parsed.samples.filter((sample) => sample.name === 'target_info')).toHaveLength(1);
      for (const sample of parsed.samples) {
        expect(
          Object.keys(sample.labels).some((label) => label === '' || label.startsWith('__')),
          sample.name,
        ).toBe(false);
      }
      expect(body).toContain('calls_total{');
      if (format === 'text') expect(promtoolCheck(body).status, promtoolCheck(body).output).toBe(0);
    }
    expect(captured.warnings.some((message) => /lat_bucket|orders_created/.test(message))).toBe(true);
    await provider.shutdown();
  });
});
