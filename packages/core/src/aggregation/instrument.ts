import type { Attributes } from '@opentelemetry/api';
import type { InstrumentSpec } from '../catalog/types.ts';
import type { AttributeResolver, ResolvedAttributes } from '../safety/attributes.ts';
import { describeName, type Warner } from '../safety/warn.ts';
import type {
  BoundCounter,
  BoundGauge,
  BoundHistogram,
  BoundUpDownCounter,
  CounterInstrument,
  GaugeInstrument,
  HistogramInstrument,
  RecordAttributes,
  UpDownCounterInstrument,
} from '../types.ts';
import { BindCache } from './bind-cache.ts';
import type { CellOwner } from './cells.ts';
import { SeriesIndex, type Indexed } from './series-index.ts';

/** Attributes of the series that absorbs measurements past the series limit (OTel's convention). */
export const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

export interface InstrumentConfig<Handle> {
  readonly spec: InstrumentSpec;
  readonly otelName: string;
  readonly prometheusName: string;
  readonly resolver: AttributeResolver;
  readonly seriesLimit: number;
  readonly warner: Warner;
  readonly exemplars: boolean;
  /** Creates the handle (a cell, or a forwarder to an OTel instrument) for one attribute set. */
  readonly createHandle: (owner: CellOwner, attributes: Attributes) => Handle & Indexed;
}

function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return 'a string';
  return `a ${typeof value}`;
}

/**
 * One instrument's series, keyed by resolved attributes. The series limit holds over the
 * instrument's whole lifetime: past it, every new attribute set records into one overflow series.
 */
export class BaseInstrument<Handle> implements CellOwner {
  readonly spec: InstrumentSpec;
  readonly otelName: string;
  readonly prometheusName: string;
  readonly attributeKeys: readonly string[];
  readonly exemplars: boolean;
  overflow: Handle | undefined;
  readonly #config: InstrumentConfig<Handle>;
  /** Series by cleaned label values (allow-listed keys): raw values that are already clean find their series here. */
  readonly #index: SeriesIndex<Handle & Indexed>;
  /** Series of custom metrics (keys not declared), by their resolved key. */
  readonly #byKey = new Map<string, Handle>();
  /** Every series in creation order. */
  readonly #series: Handle[] = [];
  /** Raw values that are not their own cleaned form (numbers, booleans, replaced strings), and overflowed sets. */
  readonly #cache: BindCache<Handle>;
  readonly #scratch: unknown[] = [];

  constructor(config: InstrumentConfig<Handle>) {
    this.#config = config;
    this.spec = config.spec;
    this.otelName = config.otelName;
    this.prometheusName = config.prometheusName;
    this.attributeKeys = config.resolver.keys;
    this.exemplars = config.exemplars;
    this.#index = new SeriesIndex(this.attributeKeys);
    // Bounded like the series, so a flood of values cannot grow it.
    this.#cache = new BindCache(this.attributeKeys.length, 2 * config.seriesLimit + 16);
  }

  /** How many series exist (the overflow series not counted). */
  get seriesCount(): number {
    return this.#series.length;
  }

  bind(attributes?: RecordAttributes): Handle {
    const values = this.#scratch;
    const resolver = this.#config.resolver;
    if (!resolver.rawValues(attributes, values)) return this.#bindResolved(resolver.resolve(attributes));
    // Cleaning is idempotent, so raw values equal to a series' cleaned values are that series.
    const found = this.#index.get(values);
    if (found !== undefined) return found;
    const cached = this.#cache.get(values);
    if (cached !== undefined) return cached;
    // The attributes are read once per call: that snapshot names the series and its cache entry.
    // (A copy: a getter re-entering bind would overwrite the scratch array.)
    const snapshot = values.slice();
    const resolved = resolver.resolveValues(snapshot, attributes);
    const handle = this.#bindResolved(resolved);
    if (handle === this.overflow || !sameValues(snapshot, resolved.values)) this.#cache.set(snapshot, handle);
    return handle;
  }

  #bindResolved(resolved: ResolvedAttributes): Handle {
    const values = resolved.values;
    const existing = values === undefined ? this.#byKey.get(resolved.key) : this.#index.get(values);
    if (existing !== undefined) return existing;
    if (this.#series.length >= this.#config.seriesLimit) {
      this.#config.warner.warn(
        `limit:${this.otelName}`,
        `${this.otelName} reached its series limit of ${this.#config.seriesLimit}; new attribute sets are counted in the otel.metric.overflow series (raise seriesLimit or bound the attribute values)`,
      );
      return (this.overflow ??= this.#config.createHandle(this, OVERFLOW_ATTRIBUTES));
    }
    const handle = this.#config.createHandle(this, resolved.attributes);
    if (values === undefined) this.#byKey.set(resolved.key, handle);
    else this.#index.set(values, handle);
    this.#series.push(handle);
    return handle;
  }

  reject(value: unknown, rule: string): void {
    this.#config.warner.warn(
      `value:${this.otelName}`,
      `${describeName(this.otelName)} got ${describeValue(value)}; expected ${rule}; the measurement was dropped`,
    );
  }

  /** Every series handle, the overflow series last. */
  *handles(): IterableIterator<Handle> {
    yield* this.#series;
    if (this.overflow !== undefined) yield this.overflow;
  }
}

function sameValues(raw: readonly unknown[], clean: readonly (string | undefined)[] | undefined): boolean {
  if (clean === undefined) return false;
  for (let i = 0; i < clean.length; i++) if (raw[i] !== clean[i]) return false;
  return true;
}

export class Counter extends BaseInstrument<BoundCounter> implements CounterInstrument {
  add(value?: number, attributes?: RecordAttributes): void {
    this.bind(attributes).add(value);
  }
}

export class UpDownCounter extends BaseInstrument<BoundUpDownCounter> implements UpDownCounterInstrument {
  add(value: number, attributes?: RecordAttributes): void {
    this.bind(attributes).add(value);
  }
}

export class Histogram extends BaseInstrument<BoundHistogram> implements HistogramInstrument {
  record(value: number, attributes?: RecordAttributes): void {
    this.bind(attributes).record(value);
  }
}

export class Gauge extends BaseInstrument<BoundGauge> implements GaugeInstrument {
  set(value: number, attributes?: RecordAttributes): void {
    this.bind(attributes).set(value);
  }
}

export type AnyInstrument = Counter | UpDownCounter | Histogram | Gauge;
