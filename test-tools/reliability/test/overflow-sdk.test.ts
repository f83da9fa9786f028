import { createAgentMeter, meterProviderViews, type AgentMeterOptions } from '@agentmeter/core';
import { MeterProvider, MetricReader, type MetricData, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { reportFigure } from '../src/figures.ts';

// Item 5 of issue 14: with a MeterProvider backend, agentmeter's series limit and the SDK's
// cardinality limit agree, so the overflow series holds only what went over agentmeter's limit.

class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const NAME = 'agentmeter.llm.requests';

async function flood(
  options: AgentMeterOptions,
  views: ViewOptions[] | undefined,
  distinct: number,
): Promise<MetricData['dataPoints']> {
  const reader = new OnDemandReader();
  const provider = new MeterProvider({ readers: [reader], ...(views !== undefined && { views }) });
  const meter = createAgentMeter({ ...options, meterProvider: provider });
  const counter = meter.instruments.llmRequests;
  // Each value twice, so an exact total also proves the second record of a kept set is not lost.
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < distinct; i++)
      counter.add(1, { provider: 'openai', model: `model-${i}`, operation: 'chat', status: 'success' });
  }
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  const metric = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === NAME);
  return metric?.dataPoints ?? [];
}

function split(points: MetricData['dataPoints']): { real: number; overflow: number | undefined; total: number } {
  const overflow = points.filter((point) => point.attributes['otel.metric.overflow'] === true);
  expect(overflow.length).toBeLessThanOrEqual(1);
  return {
    real: points.length - overflow.length,
    overflow: overflow[0]?.value as number | undefined,
    total: points.reduce((sum, point) => sum + (point.value as number), 0),
  };
}

describe('overflow with an OpenTelemetry SDK MeterProvider', () => {
  for (const seriesLimit of [1, 50, 2_000]) {
    it(`keeps exactly ${seriesLimit} real series and one overflow series with meterProviderViews({ seriesLimit: ${seriesLimit} })`, async () => {
      const options = { seriesLimit };
      const over = 37;
      const points = await flood(options, meterProviderViews(options), seriesLimit + over);
      const { real, overflow, total } = split(points);
      expect(real).toBe(seriesLimit);
      expect(overflow).toBe(2 * over);
      expect(total).toBe(2 * (seriesLimit + over));
      // Every kept series has both of its records: none was folded into the overflow.
      for (const point of points)
        expect(point.value).toBe(point.attributes['otel.metric.overflow'] === true ? 2 * over : 2);
    });
  }

  it('takes the limit from AGENTMETER_SERIES_LIMIT as createAgentMeter does', () => {
    const before = process.env['AGENTMETER_SERIES_LIMIT'];
    process.env['AGENTMETER_SERIES_LIMIT'] = '321';
    try {
      expect(meterProviderViews()).toEqual([{ meterName: '@agentmeter/core', aggregationCardinalityLimit: 322 }]);
    } finally {
      if (before === undefined) delete process.env['AGENTMETER_SERIES_LIMIT'];
      else process.env['AGENTMETER_SERIES_LIMIT'] = before;
    }
  });

  it('rejects a bad limit with AgentMeterConfigError naming seriesLimit', () => {
    for (const seriesLimit of [0, -1, Number.NaN, Infinity, 1.5, '12x', 2_000_000]) {
      expect(() => meterProviderViews({ seriesLimit: seriesLimit as number })).toThrow(/seriesLimit/);
    }
  });

  it('without the views, the SDK default (2,000 with its overflow) folds a real series into the overflow', async () => {
    // The failure the views fix, measured so the docs' figure stays true.
    const { real, overflow } = split(await flood({ seriesLimit: 2_000 }, undefined, 2_037));
    reportFigure(
      'overflow: real series kept by the SDK default limit for seriesLimit 2000 (without views)',
      real,
      'series',
    );
    expect(real).toBe(1_999);
    expect(overflow).toBe(2 * 38);
  });
});
