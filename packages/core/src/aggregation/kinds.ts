import type { Attributes, HrTime } from '@opentelemetry/api';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import type { InstrumentKind } from '../catalog/types.ts';
import { CounterCell, GaugeCell, HistogramCell, UpDownCounterCell, type Cell, type CellOwner } from './cells.ts';
import { CLASSIC_BUCKETS, EXEMPLARS } from './exemplars.ts';
import { Counter, Gauge, Histogram, UpDownCounter, type AnyInstrument, type InstrumentConfig } from './instrument.ts';
import {
  otelCounter,
  otelGauge,
  otelHistogram,
  otelUpDownCounter,
  type OtelInstrumentFactory,
} from './otel-handles.ts';

/** The Prometheus metric type a kind is exposed as. */
export type PrometheusType = 'counter' | 'gauge' | 'histogram';

/**
 * Everything that differs between the four instrument kinds, in one place: how an instrument and
 * its series are created (own cells, or the OpenTelemetry API), how a series is collected into a
 * data point, which OpenTelemetry data point type carries it, and how Prometheus exposes it.
 * Recording itself is each cell's `add`/`record`/`set`.
 */
export interface KindBehaviour<C extends Cell> {
  /** The instrument for a catalog or custom spec of this kind. */
  readonly instrument: (config: InstrumentConfig<never>) => AnyInstrument;
  /** A series of agentmeter's own aggregation. */
  readonly cell: (owner: CellOwner, attributes: Attributes, buckets: readonly number[], exponential: boolean) => C;
  /** The MeterProvider backend: creates the OpenTelemetry instrument and its handles. */
  readonly otel: OtelInstrumentFactory;
  /** The cumulative data point of one series. */
  readonly point: (cell: C, startTime: HrTime, endTime: HrTime) => object;
  /** The data point type of the instrument's MetricData, from one of its series. */
  readonly dataPointType: (cell: C) => DataPointType;
  /** For sums: whether the sum only grows. */
  readonly monotonic: boolean | undefined;
  readonly prometheusType: PrometheusType;
}

function sumPoint(cell: UpDownCounterCell | GaugeCell, startTime: HrTime, endTime: HrTime): object {
  return { startTime, endTime, attributes: cell.attributes, value: cell.value };
}

function histogramPoint(cell: HistogramCell, startTime: HrTime, endTime: HrTime): object {
  const extremes = { min: cell.count > 0 ? cell.min : undefined, max: cell.count > 0 ? cell.max : undefined };
  const buckets = cell.exponential;
  if (buckets === undefined) {
    return {
      startTime,
      endTime,
      attributes: cell.attributes,
      value: {
        buckets: { boundaries: cell.boundaries.slice(), counts: cell.counts.slice() },
        sum: cell.sum,
        count: cell.count,
        ...extremes,
      },
      [EXEMPLARS]: cell.exemplars?.slice(),
    };
  }
  return {
    startTime,
    endTime,
    attributes: cell.attributes,
    value: {
      count: cell.count,
      sum: cell.sum,
      ...extremes,
      scale: buckets.scale,
      zeroCount: buckets.zeroCount,
      positive: { offset: buckets.offset, bucketCounts: buckets.counts.slice() },
      negative: { offset: 0, bucketCounts: [] },
    },
    [CLASSIC_BUCKETS]: { boundaries: cell.boundaries.slice(), counts: cell.counts.slice() },
    [EXEMPLARS]: cell.exemplars?.slice(),
  };
}

/** The four instrument kinds. */
export const KINDS: { readonly [K in InstrumentKind]: KindBehaviour<Cell> } = {
  counter: {
    instrument: (config) => new Counter(config),
    cell: (owner, attributes) => new CounterCell(owner, attributes),
    otel: otelCounter,
    point: (cell, startTime, endTime) => ({
      startTime,
      endTime,
      attributes: cell.attributes,
      value: (cell as CounterCell).value,
      [EXEMPLARS]: (cell as CounterCell).exemplar,
    }),
    dataPointType: () => DataPointType.SUM,
    monotonic: true,
    prometheusType: 'counter',
  },
  updowncounter: {
    instrument: (config) => new UpDownCounter(config),
    cell: (owner, attributes) => new UpDownCounterCell(owner, attributes),
    otel: otelUpDownCounter,
    point: (cell, startTime, endTime) => sumPoint(cell as UpDownCounterCell, startTime, endTime),
    dataPointType: () => DataPointType.SUM,
    monotonic: false,
    prometheusType: 'gauge',
  },
  histogram: {
    instrument: (config) => new Histogram(config),
    cell: (owner, attributes, buckets, exponential) => new HistogramCell(owner, attributes, buckets, exponential),
    otel: otelHistogram,
    point: (cell, startTime, endTime) => histogramPoint(cell as HistogramCell, startTime, endTime),
    dataPointType: (cell) =>
      (cell as HistogramCell).exponential === undefined ? DataPointType.HISTOGRAM : DataPointType.EXPONENTIAL_HISTOGRAM,
    monotonic: undefined,
    prometheusType: 'histogram',
  },
  gauge: {
    instrument: (config) => new Gauge(config),
    cell: (owner, attributes) => new GaugeCell(owner, attributes),
    otel: otelGauge,
    point: (cell, startTime, endTime) => sumPoint(cell as GaugeCell, startTime, endTime),
    dataPointType: () => DataPointType.GAUGE,
    monotonic: undefined,
    prometheusType: 'gauge',
  },
};

/** The instrument kind of collected MetricData (from agentmeter or any SDK instrument); undefined for other types. */
export function kindOfMetric(metric: MetricData): InstrumentKind | undefined {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'updowncounter';
    case DataPointType.GAUGE:
      return 'gauge';
    case DataPointType.HISTOGRAM:
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return 'histogram';
    default:
      return undefined;
  }
}

/** The Prometheus metric type of a kind (up-down counters and gauges are both gauges). */
export function prometheusTypeOf(kind: InstrumentKind): PrometheusType {
  return KINDS[kind].prometheusType;
}
