import { type HrTime, ValueType } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type CollectionResult,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { InstrumentSpec } from '../catalog/types.ts';
import type { Cell } from './cells.ts';
import { KINDS } from './kinds.ts';
import { AGENTMETER_SCOPE } from '../scope.ts';
import { lentPool, refreshPoint } from './point-pool.ts';

/** What the producer reads: each instrument's spec, name and cells. */
export interface ProducedInstrument {
  readonly spec: InstrumentSpec;
  readonly otelName: string;
  handles(): IterableIterator<unknown>;
}

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
    const scopeMetrics = [{ scope: AGENTMETER_SCOPE, metrics: this.#metrics(this.#instruments(), endTime) }];
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
    const kind = KINDS[spec.kind];
    const points: object[] = [];
    // A pool lent by the reader (see PointPool): last collection's points, refreshed in place.
    const slots = lentPool()?.slots(instrument);
    let first: Cell | undefined;
    for (const cell of instrument.handles() as IterableIterator<Cell>) {
      first ??= cell;
      const pooled = slots?.[points.length];
      if (pooled !== undefined && refreshPoint(pooled, cell, endTime)) {
        points.push(pooled);
      } else {
        const point = kind.point(cell, this.#startTime, endTime);
        if (slots !== undefined) slots[points.length] = point;
        points.push(point);
      }
    }
    if (slots !== undefined) slots.length = points.length;
    if (first === undefined) return undefined;
    return {
      descriptor: {
        name: instrument.otelName,
        description: spec.description,
        unit: spec.unit,
        valueType: ValueType.DOUBLE,
      },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: kind.dataPointType(first),
      dataPoints: points,
      ...(kind.monotonic === undefined ? {} : { isMonotonic: kind.monotonic }),
    } as MetricData;
  }
}
