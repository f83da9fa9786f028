import type { Attributes } from '@opentelemetry/api';
import type { BoundCounter, BoundGauge, BoundHistogram, BoundUpDownCounter } from '../types.ts';
import { exemplarFor, type Exemplar } from './exemplars.ts';
import { ExponentialBuckets } from './exponential.ts';

/** What a cell needs from its instrument: where to report a rejected value, and whether to sample exemplars. */
export interface CellOwner {
  readonly exemplars: boolean;
  reject(value: unknown, rule: string): void;
}

/** Why a finite value is refused: the series would become infinite, and stay so. */
const OVERFLOW_RULE =
  'a value that keeps the series finite (this one would overflow it to infinity; the series keeps its value)';

/** A monotonic sum. Accepts finite numbers >= 0 that keep it finite. */
export class CounterCell implements BoundCounter {
  value = 0;
  exemplar: Exemplar | undefined;
  readonly attributes: Attributes;
  readonly #owner: CellOwner;

  constructor(owner: CellOwner, attributes: Attributes) {
    this.#owner = owner;
    this.attributes = attributes;
  }

  add(value: number = 1): void {
    if (typeof value === 'number' && value >= 0 && value < Infinity) {
      const next = this.value + value;
      if (next === Infinity) {
        this.#owner.reject(value, OVERFLOW_RULE);
        return;
      }
      this.value = next;
      if (this.#owner.exemplars) this.exemplar = exemplarFor(value) ?? this.exemplar;
    } else {
      this.#owner.reject(value, 'a finite number >= 0');
    }
  }
}

/** A non-monotonic sum. Accepts any finite number. */
export class UpDownCounterCell implements BoundUpDownCounter {
  value = 0;
  readonly attributes: Attributes;
  readonly #owner: CellOwner;

  constructor(owner: CellOwner, attributes: Attributes) {
    this.#owner = owner;
    this.attributes = attributes;
  }

  add(value: number): void {
    if (!(typeof value === 'number' && value > -Infinity && value < Infinity)) {
      this.#owner.reject(value, 'a finite number');
      return;
    }
    const next = this.value + value;
    if (Number.isFinite(next)) this.value = next;
    else this.#owner.reject(value, OVERFLOW_RULE);
  }
}

/** The last value set. Accepts any finite number. */
export class GaugeCell implements BoundGauge {
  value = 0;
  readonly attributes: Attributes;
  readonly #owner: CellOwner;

  constructor(owner: CellOwner, attributes: Attributes) {
    this.#owner = owner;
    this.attributes = attributes;
  }

  set(value: number): void {
    if (typeof value === 'number' && value > -Infinity && value < Infinity) this.value = value;
    else this.#owner.reject(value, 'a finite number');
  }
}

/**
 * Explicit-bucket histogram; a value v lands in the first bucket whose upper bound is >= v. With
 * `exponential`, it also keeps base-2 exponential buckets (OTLP's exponential histogram, the
 * native histogram of Prometheus) for the same values.
 */
export class HistogramCell implements BoundHistogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  min: number = Infinity;
  max: number = -Infinity;
  exemplars: (Exemplar | undefined)[] | undefined;
  readonly attributes: Attributes;
  readonly boundaries: readonly number[];
  /** Base-2 exponential buckets kept beside the explicit ones, when the instrument asks for them. */
  readonly exponential: ExponentialBuckets | undefined;
  readonly #owner: CellOwner;

  constructor(owner: CellOwner, attributes: Attributes, boundaries: readonly number[], exponential = false) {
    this.#owner = owner;
    this.attributes = attributes;
    this.boundaries = boundaries;
    this.counts = Array.from({ length: boundaries.length + 1 }, () => 0);
    this.exponential = exponential ? new ExponentialBuckets() : undefined;
  }

  record(value: number): void {
    if (!(typeof value === 'number' && value >= 0 && value < Infinity)) {
      this.#owner.reject(value, 'a finite number >= 0');
      return;
    }
    if (this.sum + value === Infinity) {
      this.#owner.reject(value, OVERFLOW_RULE);
      return;
    }
    const boundaries = this.boundaries;
    let index = 0;
    while (index < boundaries.length && value > boundaries[index]!) index++;
    this.counts[index]!++;
    this.exponential?.record(value);
    this.sum += value;
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.#owner.exemplars) {
      const exemplar = exemplarFor(value);
      if (exemplar !== undefined)
        (this.exemplars ??= Array.from({ length: this.counts.length }, () => undefined))[index] = exemplar;
    }
  }
}

export type Cell = CounterCell | UpDownCounterCell | GaugeCell | HistogramCell;
