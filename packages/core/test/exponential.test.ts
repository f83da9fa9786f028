import { DataPointType } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { bucketIndex, ExponentialBuckets, MAX_SCALE, MAX_SIZE } from '../src/aggregation/exponential.ts';
import { AgentMeterConfigError, createAgentMeter } from '../src/index.ts';
import { getClassicBuckets } from '../src/internal.ts';
import { createTestReader } from '../src/testing.ts';

/** The bounds (base^i, base^(i+1)] of bucket i at a scale. */
function bounds(index: number, scale: number): [number, number] {
  return [2 ** (index / 2 ** scale), 2 ** ((index + 1) / 2 ** scale)];
}

describe('base-2 exponential buckets', () => {
  it('puts every value in the bucket whose bounds hold it, powers of two at an upper bound', () => {
    for (const scale of [-2, 0, 1, 3, 8, 20]) {
      for (const value of [1e-6, 0.001, 0.3, 0.5, 1, 1.5, 2, 3, 4, 7.25, 1024, 123_456.789]) {
        const index = bucketIndex(value, scale);
        const [low, high] = bounds(index, scale);
        expect(value, `${value} at scale ${scale}`).toBeGreaterThan(low * (1 - 1e-12));
        expect(value, `${value} at scale ${scale}`).toBeLessThanOrEqual(high * (1 + 1e-12));
      }
    }
    expect(bucketIndex(1, 0)).toBe(-1);
    expect(bucketIndex(2, 0)).toBe(0);
    expect(bucketIndex(4, 1)).toBe(3);
    expect(bucketIndex(2, 3)).toBe(7);
  });

  it('starts at scale 20 and lowers the scale to keep at most 160 buckets, counting every value once', () => {
    const buckets = new ExponentialBuckets();
    expect(buckets.scale).toBe(MAX_SCALE);
    const values = [0, 0, ...Array.from({ length: 1000 }, (_, i) => 0.001 * 1.01 ** i)];
    for (const value of values) buckets.record(value);
    expect(buckets.zeroCount).toBe(2);
    expect(buckets.counts.length).toBeLessThanOrEqual(MAX_SIZE);
    expect(buckets.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    // 0.001 .. 0.001 * 1.01^999 spans 2^14.3: scale 3 fits it in 160 buckets, scale 4 would not.
    expect(buckets.scale).toBe(3);
    for (const value of values.slice(2)) {
      const at = bucketIndex(value, buckets.scale) - buckets.offset;
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(buckets.counts.length);
    }
  });
});

describe('exponentialHistograms', () => {
  it('exports the chosen histograms as exponential, with the explicit buckets beside them', async () => {
    const meter = createAgentMeter({ exponentialHistograms: ['llm.latency'] });
    const reader = createTestReader(meter);
    for (const seconds of [0.2, 0.4, 0.4, 3])
      meter.instruments.llmLatency.record(seconds, { provider: 'openai', model: 'm', operation: 'chat' });
    meter.instruments.ttsLatency.record(0.5, { provider: 'x', model: 'y', status: 'success' });
    const collected = await meter.metricProducer!.collect();
    const metrics = collected.resourceMetrics.scopeMetrics[0]!.metrics;
    const llm = metrics.find((metric) => metric.descriptor.name === 'agentmeter.llm.latency')!;
    expect(llm.dataPointType).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);
    const point = llm.dataPoints[0]!;
    expect(point.value).toMatchObject({ count: 4, sum: 4, min: 0.2, max: 3, zeroCount: 0 });
    const value = point.value as { scale: number; positive: { bucketCounts: number[] } };
    // 0.2 .. 3 spans 2^3.9: scale 5 fits it in 160 buckets (3.9 * 32 = 125), scale 6 would not.
    expect(value.scale).toBe(5);
    expect(value.positive.bucketCounts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(getClassicBuckets(point)?.counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(metrics.find((metric) => metric.descriptor.name === 'agentmeter.tts.latency')!.dataPointType).toBe(
      DataPointType.HISTOGRAM,
    );
    await reader.shutdown();
  });

  it('follows OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION, and rejects bad settings at creation', async () => {
    process.env['OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION'] = 'base2_exponential_bucket_histogram';
    try {
      const meter = createAgentMeter();
      meter.instruments.ttsLatency.record(0.5, { provider: 'x', model: 'y', status: 'success' });
      const collected = await meter.metricProducer!.collect();
      expect(collected.resourceMetrics.scopeMetrics[0]!.metrics[0]!.dataPointType).toBe(
        DataPointType.EXPONENTIAL_HISTOGRAM,
      );
      process.env['OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION'] = 'sometimes';
      expect(() => createAgentMeter()).toThrow(
        /OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION must be base2_exponential_bucket_histogram or explicit_bucket_histogram/,
      );
    } finally {
      delete process.env['OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION'];
    }
    expect(() => createAgentMeter({ exponentialHistograms: 'all' as never })).toThrow(AgentMeterConfigError);
    expect(() => createAgentMeter({ exponentialHistograms: [1] as never })).toThrow(
      /exponentialHistograms must be true, false or a list/,
    );
  });
});
