import { DataPointType } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { CATALOG, CATALOG_KEYS, createAgentMeter, type InstrumentKind } from '../src/index.ts';
import { kindOfMetric, prometheusTypeOf } from '../src/internal.ts';

describe('the table of instrument kinds', () => {
  it('collects every catalog instrument as the data point type of its kind, and reads the kind back from it', async () => {
    const meter = createAgentMeter({ namespace: 'kinds', exponentialHistograms: ['llm.latency'] });
    for (const key of CATALOG_KEYS) {
      const bound = meter.instruments[key].bind() as unknown as Record<string, (value: number) => void>;
      for (const method of ['add', 'record', 'set']) bound[method]?.(1);
    }
    const { resourceMetrics, errors } = await meter.metricProducer!.collect();
    expect(errors).toEqual([]);
    const metrics = resourceMetrics.scopeMetrics[0]!.metrics;
    expect(metrics).toHaveLength(CATALOG_KEYS.length);
    const expected: Record<InstrumentKind, DataPointType[]> = {
      counter: [DataPointType.SUM],
      updowncounter: [DataPointType.SUM],
      histogram: [DataPointType.HISTOGRAM, DataPointType.EXPONENTIAL_HISTOGRAM],
      gauge: [DataPointType.GAUGE],
    };
    for (const [i, key] of CATALOG_KEYS.entries()) {
      const metric = metrics[i]!;
      const kind = CATALOG[key].kind;
      expect([key, kindOfMetric(metric)]).toEqual([key, kind]);
      expect(expected[kind]).toContain(metric.dataPointType);
      if (metric.dataPointType === DataPointType.SUM) expect(metric.isMonotonic).toBe(kind === 'counter');
      expect(metric.dataPoints).toHaveLength(1);
    }
    expect(metrics[CATALOG_KEYS.indexOf('llmLatency')]!.dataPointType).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);
    expect(metrics[CATALOG_KEYS.indexOf('responseTime')]!.dataPointType).toBe(DataPointType.HISTOGRAM);
  });

  it('gives the Prometheus type of each kind: up-down counters and gauges are gauges', () => {
    expect((['counter', 'updowncounter', 'histogram', 'gauge'] as const).map(prometheusTypeOf)).toEqual([
      'counter',
      'gauge',
      'histogram',
      'gauge',
    ]);
  });
});
