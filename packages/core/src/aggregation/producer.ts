import { type HrTime, ValueType } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality, DataPointType, type CollectionResult, type MetricData, type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { InstrumentSpec } from '../catalog/types.ts';
import { CounterCell, GaugeCell, HistogramCell, UpDownCounterCell, type Cell } from './cells.ts';
import { EXEMPLARS } from './exemplars.ts';

/** What the producer reads: each instrument's spec, name and cells. */
export interface ProducedInstrument {
  readonly spec: InstrumentSpec;
  readonly otelName: string;
  handles(): IterableIterator<unknown>;
}

const SCOPE = { name: '@agentmeter/core', version: '0.1.0' };

/** More instruments for the producer to report, under a scope of their own (e.g. @agentmeter/node's HTTP metrics). */
export interface InstrumentSource {
  readonly scope: { readonly name: string; readonly version: string };
  instruments(): Iterable<ProducedInstrument>;
}

/**
 * Hands agentmeter's cells to OpenTelemetry MetricReaders as cumulative MetricData, so any
 * reader (Prometheus, OTLP push, in-memory) exports them next to the SDK's own instruments.
 */
export class AgentMeterProducer implements MetricProducer {
  readonly #instruments: () => Iterable<ProducedInstrument>;
  readonly #beforeCollect: () => void;
  readonly #startTime: HrTime;
  readonly #sources = new Set<InstrumentSource>();

  constructor(instruments: () => Iterable<ProducedInstrument>, beforeCollect: () => void) {
    this.#instruments = instruments;
    this.#beforeCollect = beforeCollect;
    this.#startTime = hrTime();
  }

  /** Reports the source's instruments from the next collection on; the returned function stops that. */
  addSource(source: InstrumentSource): () => void {
    this.#sources.add(source);
    return () => this.#sources.delete(source);
  }

  async collect(): Promise<CollectionResult> {
    const errors: unknown[] = [];
    try {
      this.#beforeCollect();
    } catch (error) {
      errors.push(error);
    }
    const endTime = hrTime();
    const scopeMetrics = [{ scope: SCOPE, metrics: this.#metrics(this.#instruments(), endTime) }];
    for (const source of this.#sources) {
      try {
        const metrics = this.#metrics(source.instruments(), endTime);
        if (metrics.length > 0) scopeMetrics.push({ scope: source.scope, metrics });
      } catch (error) {
        errors.push(error);
      }
    }
    return { resourceMetrics: { resource: emptyResource(), scopeMetrics }, errors };
  }

  #metrics(instruments: Iterable<ProducedInstrument>, endTime: HrTime): MetricData[] {
    const metrics: MetricData[] = [];
    for (const instrument of instruments) {
      const metric = this.#toMetricData(instrument, endTime);
      if (metric !== undefined) metrics.push(metric);
    }
    return metrics;
  }

  #toMetricData(instrument: ProducedInstrument, endTime: HrTime): MetricData | undefined {
    const { spec } = instrument;
    const descriptor = { name: instrument.otelName, description: spec.description, unit: spec.unit, valueType: ValueType.DOUBLE };
    const startTime = this.#startTime;
    const temporality = AggregationTemporality.CUMULATIVE;
    const points: object[] = [];
    for (const cell of instrument.handles() as IterableIterator<Cell>) {
      if (cell instanceof HistogramCell) {
        points.push({
          startTime, endTime, attributes: cell.attributes,
          value: {
            buckets: { boundaries: cell.boundaries.slice(), counts: cell.counts.slice() },
            sum: cell.sum, count: cell.count,
            min: cell.count > 0 ? cell.min : undefined,
            max: cell.count > 0 ? cell.max : undefined,
          },
          [EXEMPLARS]: cell.exemplars?.slice(),
        });
      } else if (cell instanceof CounterCell) {
        points.push({ startTime, endTime, attributes: cell.attributes, value: cell.value, [EXEMPLARS]: cell.exemplar });
      } else if (cell instanceof UpDownCounterCell || cell instanceof GaugeCell) {
        points.push({ startTime, endTime, attributes: cell.attributes, value: cell.value });
      }
    }
    if (points.length === 0) return undefined;
    switch (spec.kind) {
      case 'histogram':
        return { descriptor, aggregationTemporality: temporality, dataPointType: DataPointType.HISTOGRAM, dataPoints: points as never };
      case 'gauge':
        return { descriptor, aggregationTemporality: temporality, dataPointType: DataPointType.GAUGE, dataPoints: points as never };
      default:
        return {
          descriptor, aggregationTemporality: temporality, dataPointType: DataPointType.SUM,
          dataPoints: points as never, isMonotonic: spec.kind === 'counter',
        };
    }
  }
}
