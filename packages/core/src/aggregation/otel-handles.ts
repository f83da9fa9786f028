import type { Attributes, Counter, Histogram, Meter, ObservableGauge, UpDownCounter } from '@opentelemetry/api';
import type { InstrumentSpec } from '../catalog/types.ts';
import type { BoundCounter, BoundGauge, BoundHistogram, BoundUpDownCounter } from '../types.ts';
import { GaugeCell, type CellOwner } from './cells.ts';
import type { Indexed } from './series-index.ts';

/**
 * Handles for the MeterProvider backend: the same validation as the cells, then the plain
 * OpenTelemetry API. Gauges keep their last value in a cell and are reported by an observable
 * gauge, so `onCollect` callbacks can set them just before each collection.
 */
export type OtelHandleFactory = (
  owner: CellOwner,
  attributes: Attributes,
) => (BoundCounter | BoundUpDownCounter | BoundHistogram | BoundGauge) & Indexed;

/** Registers an observable gauge and its cells with the meter's one batch callback. */
export type RegisterGauge = (observable: ObservableGauge, cells: readonly GaugeCell[]) => void;

/** Creates the OpenTelemetry instrument of one kind and returns the factory of its handles. */
export type OtelInstrumentFactory = (
  meter: Meter,
  otelName: string,
  spec: InstrumentSpec,
  registerGauge: RegisterGauge,
) => OtelHandleFactory;

function options(spec: InstrumentSpec): { description: string; unit: string } {
  return { description: spec.description, unit: spec.unit };
}

export const otelCounter: OtelInstrumentFactory = (meter, otelName, spec) => {
  const counter: Counter = meter.createCounter(otelName, options(spec));
  return (owner, attributes) => ({
    attributes,
    add(value: number = 1): void {
      if (typeof value === 'number' && value >= 0 && value < Infinity) counter.add(value, attributes);
      else owner.reject(value, 'a finite number >= 0');
    },
  });
};

export const otelUpDownCounter: OtelInstrumentFactory = (meter, otelName, spec) => {
  const counter: UpDownCounter = meter.createUpDownCounter(otelName, options(spec));
  return (owner, attributes) => ({
    attributes,
    add(value: number): void {
      if (typeof value === 'number' && value > -Infinity && value < Infinity) counter.add(value, attributes);
      else owner.reject(value, 'a finite number');
    },
  });
};

export const otelHistogram: OtelInstrumentFactory = (meter, otelName, spec) => {
  const histogram: Histogram = meter.createHistogram(otelName, {
    ...options(spec),
    advice: { explicitBucketBoundaries: [...(spec.buckets ?? [])] },
  });
  return (owner, attributes) => ({
    attributes,
    record(value: number): void {
      if (typeof value === 'number' && value >= 0 && value < Infinity) histogram.record(value, attributes);
      else owner.reject(value, 'a finite number >= 0');
    },
  });
};

export const otelGauge: OtelInstrumentFactory = (meter, otelName, spec, registerGauge) => {
  const cells: GaugeCell[] = [];
  registerGauge(meter.createObservableGauge(otelName, options(spec)), cells);
  return (owner, attributes) => {
    const cell = new GaugeCell(owner, attributes);
    cells.push(cell);
    return cell;
  };
};
