import { createAgentMeter } from '@agentmeter/core';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { acceptsGzip } from '../src/http/negotiate.ts';
import { estimateQuantile, negotiateFormat, PrometheusExporter } from '../src/index.ts';
import { parseExposition, valueOf } from './support/parse.ts';

describe('negotiateFormat', () => {
  it.each([
    [undefined, 'text'],
    ['', 'text'],
    ['text/plain;version=0.0.4', 'text'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5', 'openmetrics'],
    ['application/openmetrics-text;version=0.0.1;q=0.75,text/plain;q=0.5', 'openmetrics'],
    ['APPLICATION/OPENMETRICS-TEXT; VERSION="1.0.0"', 'openmetrics'],
    ['text/plain;q=0.9,application/openmetrics-text;q=0.5', 'text'],
    ['application/openmetrics-text;version=2.0.0', 'text'],
    ['application/openmetrics-text;q=0', 'text'],
    ['application/openmetrics-text;q=', 'text'],
    ['application/openmetrics-text;q=NaN', 'text'],
    ['*/*', 'text'],
    ['application/json', 'text'],
    [',,;;==', 'text'],
    // What Prometheus 3 sends when it scrapes native histograms: protobuf first.
    [
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3',
      'protobuf',
    ],
    [
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.4,application/openmetrics-text;version=1.0.0;q=0.5',
      'openmetrics',
    ],
    ['application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text', 'text'],
    ['application/vnd.google.protobuf;proto=other.Message;encoding=delimited', 'text'],
    ['application/vnd.google.protobuf', 'text'],
  ] as const)('%j → %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });

  it('reads Accept-Encoding', () => {
    expect(
      [undefined, 'gzip', 'deflate, gzip;q=0.5', 'GZIP', 'gzip;q=0', 'br', 'x-gzip', 'gzip;q=abc'].map(acceptsGzip),
    ).toEqual([false, true, true, true, false, false, true, false]);
  });
});

function histogram(counts: number[], extra: { min?: number; max?: number } = {}): Histogram {
  return { buckets: { boundaries: [1, 2, 4], counts }, count: counts.reduce((a, b) => a + b, 0), sum: 0, ...extra };
}

describe('estimateQuantile', () => {
  it('interpolates inside the bucket holding the rank, as histogram_quantile does', () => {
    expect(estimateQuantile(histogram([0, 10, 0, 0]), 0.5)).toBe(1.5);
    expect(estimateQuantile(histogram([10, 0, 0, 0]), 0.5)).toBe(0.5);
    expect(estimateQuantile(histogram([5, 5, 0, 0]), 0.75)).toBe(1.5);
    expect(estimateQuantile(histogram([0, 0, 0, 4]), 0.99)).toBe(4);
  });

  it('bounds the estimate by the recorded min and max', () => {
    expect(estimateQuantile(histogram([0, 10, 0, 0], { min: 1.6, max: 1.7 }), 0.5)).toBe(1.6);
    expect(estimateQuantile(histogram([0, 0, 0, 4], { min: 5, max: 9 }), 0.99)).toBe(5);
  });

  it('answers null for an empty histogram or a q outside [0, 1]', () => {
    expect(estimateQuantile(histogram([0, 0, 0, 0]), 0.5)).toBeNull();
    for (const q of [Number.NaN, -0.1, 1.1, Infinity]) expect(estimateQuantile(histogram([1, 0, 0, 0]), q)).toBeNull();
  });
});

describe('without a MeterProvider', () => {
  it('collects from its producers directly', async () => {
    const meter = createAgentMeter();
    const exporter = new PrometheusExporter({ metricProducers: [meter.metricProducer!], env: {} });
    meter.instruments.requests.add(2, { status: 'ok' });
    const parsed = parseExposition(await exporter.scrape(), 'text');
    expect(valueOf(parsed, 'agentmeter_requests_total', { status: 'ok' })).toBe(2);
    expect(parsed.types.has('target_info')).toBe(false);
    await exporter.shutdown();
  });

  it('serves an empty exposition when nothing was recorded', async () => {
    const exporter = new PrometheusExporter({ env: {} });
    expect(await exporter.scrape()).toBe('');
    expect(await exporter.scrape('openmetrics')).toBe('# EOF\n');
    expect(await exporter.snapshot()).toMatchObject({ counters: {}, gauges: {}, histograms: {} });
  });
});
