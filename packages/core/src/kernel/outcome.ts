/**
 * The recording kernel's timed calls other than LLM ones: a duration histogram and a count,
 * both labelled by `status`, bound per status on first use (a call kind that never fails exports
 * no error series). DB queries, external API calls, TTS and STT calls record through these, from
 * the meter's `track*` helpers and from the wrapper packages alike.
 */
import { attempt } from '../kit/wrap.ts';
import { SeriesCache } from './cache.ts';
import type { BoundCounter, BoundHistogram, CatalogInstruments, RecordAttributes } from '../types.ts';

type HistogramKey = {
  [K in keyof CatalogInstruments]: CatalogInstruments[K] extends { record: unknown } ? K : never;
}[keyof CatalogInstruments];
type CounterKey = {
  [K in keyof CatalogInstruments]: CatalogInstruments[K] extends { add: unknown } ? K : never;
}[keyof CatalogInstruments];

const NOOP_COUNTER: BoundCounter = { add() {} };
const NOOP_HISTOGRAM: BoundHistogram = { record() {} };

interface Bound {
  readonly duration: BoundHistogram;
  readonly count: BoundCounter;
}

/** The duration and count series of one label set. */
export class OutcomeSeries {
  readonly labels: RecordAttributes;
  readonly #instruments: CatalogInstruments;
  readonly #duration: HistogramKey;
  readonly #count: CounterKey;
  #ok: Bound | undefined;
  #error: Bound | undefined;

  constructor(instruments: CatalogInstruments, duration: HistogramKey, count: CounterKey, labels: RecordAttributes) {
    this.#instruments = instruments;
    this.#duration = duration;
    this.#count = count;
    this.labels = labels;
  }

  /** Binds the success series now (a wrapper that exports a statement's series once it is seen). */
  warm(): this {
    this.#ok ??= this.#bind('success');
    return this;
  }

  /** Records one finished call. A meter that cannot bind a series records nothing for it. */
  record(seconds: number, failed: boolean): void {
    const bound = failed ? (this.#error ??= this.#bind('error')) : (this.#ok ??= this.#bind('success'));
    bound.duration.record(seconds);
    bound.count.add(1);
  }

  #bind(status: 'success' | 'error'): Bound {
    const labels = { ...this.labels, status };
    const i = this.#instruments;
    return {
      duration: attempt(
        () => (i[this.#duration] as { bind(a: RecordAttributes): BoundHistogram }).bind(labels),
        NOOP_HISTOGRAM,
      ),
      count: attempt(() => (i[this.#count] as { bind(a: RecordAttributes): BoundCounter }).bind(labels), NOOP_COUNTER),
    };
  }
}

/**
 * Outcome series of one call kind, cached by up to three label values.
 */
export class OutcomeTable {
  readonly #instruments: CatalogInstruments;
  readonly #duration: HistogramKey;
  readonly #count: CounterKey;
  readonly #keys: readonly string[];
  readonly #cache = new SeriesCache<OutcomeSeries>();

  constructor(instruments: CatalogInstruments, duration: HistogramKey, count: CounterKey, keys: readonly string[]) {
    this.#instruments = instruments;
    this.#duration = duration;
    this.#count = count;
    this.#keys = keys;
  }

  /** The series of these label values (an absent value leaves its label out). */
  series(a: unknown, b?: unknown, c?: unknown): OutcomeSeries {
    return this.#cache.get(a, b, c) ?? this.#cache.set(a, b, c, this.#create([a, b, c]));
  }

  #create(values: readonly unknown[]): OutcomeSeries {
    const labels: Record<string, unknown> = {};
    this.#keys.forEach((key, index) => {
      if (values[index] !== undefined) labels[key] = values[index];
    });
    return new OutcomeSeries(this.#instruments, this.#duration, this.#count, labels as RecordAttributes);
  }
}
