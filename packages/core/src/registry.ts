import { metrics, type Attributes, type Meter, type ObservableGauge } from '@opentelemetry/api';
import { CATALOG, CATALOG_KEYS } from './catalog/instruments.ts';
import type { InstrumentKind, InstrumentSpec } from './catalog/types.ts';
import type { Cell, CellOwner, GaugeCell } from './aggregation/cells.ts';
import type { AnyInstrument, Counter, Gauge, Histogram, InstrumentConfig } from './aggregation/instrument.ts';
import { KINDS } from './aggregation/kinds.ts';
import type { ResolvedOptions } from './config.ts';
import { prometheusName } from './naming.ts';
import { AGENTMETER_SCOPE } from './scope.ts';
import { AllowListResolver, DynamicResolver, type AttributeResolver } from './safety/attributes.ts';
import { looksSecret } from './safety/values.ts';
import type { Warner } from './safety/warn.ts';
import type { CatalogInstruments } from './types.ts';

const MAX_CUSTOM_INSTRUMENTS = 500;
const CUSTOM_NAME = /^[a-zA-Z_][a-zA-Z0-9_.]{0,127}$/;
// Sample-name suffixes: two metrics whose names agree without them would clash in the exposition.
const SAMPLE_SUFFIX = /_(?:total|bucket|sum|count|created|info)$/;

/** Creates and holds the meter's instruments: the catalog's, and custom ones made on first use. */
export class InstrumentRegistry {
  readonly catalog: CatalogInstruments;
  readonly #custom = new Map<string, AnyInstrument>();
  readonly #options: ResolvedOptions;
  readonly #warner: Warner;
  readonly #otelMeter: Meter | undefined;
  readonly #gauges: { observable: ObservableGauge; cells: readonly GaugeCell[] }[] = [];
  /** Prometheus names in use, without sample suffixes, so a custom metric cannot clash with another. */
  readonly #taken = new Set<string>();

  constructor(options: ResolvedOptions, warner: Warner, runCollectHooks: () => void) {
    this.#options = options;
    this.#warner = warner;
    if (options.meterProvider !== undefined) {
      const provider = options.meterProvider === 'global' ? metrics.getMeterProvider() : options.meterProvider;
      this.#otelMeter = provider.getMeter(AGENTMETER_SCOPE.name, AGENTMETER_SCOPE.version);
    }
    const catalog: Partial<Record<string, AnyInstrument>> = {};
    for (const key of CATALOG_KEYS) {
      const spec = CATALOG[key];
      const extras = options.attributes[spec.family] ?? [];
      const keys = [...new Set([...spec.attributes, ...extras])];
      catalog[key] = this.#create(
        spec,
        new AllowListResolver(keys, options.maxAttributeLength, warner, this.#otelName(spec.name)),
      );
    }
    this.catalog = catalog as unknown as CatalogInstruments;
    for (const instrument of Object.values(catalog))
      this.#taken.add(instrument!.prometheusName.replace(SAMPLE_SUFFIX, ''));
    if (this.#otelMeter !== undefined) {
      const observables = this.#gauges.map((gauge) => gauge.observable);
      this.#otelMeter.addBatchObservableCallback((result) => {
        try {
          runCollectHooks();
        } catch {
          // A failing hook must not stop the other gauges from reporting.
        }
        for (const { observable, cells } of this.#gauges) {
          for (const cell of cells) result.observe(observable, cell.value, cell.attributes);
        }
      }, observables);
    }
  }

  /** Every instrument with series, for the producer. */
  *all(): IterableIterator<AnyInstrument> {
    yield* Object.values(this.catalog) as AnyInstrument[];
    yield* this.#custom.values();
  }

  customCounter(name: unknown): Counter | undefined {
    return this.#createCustom(name, 'counter', '') as Counter | undefined;
  }

  customGauge(name: unknown): Gauge | undefined {
    return this.#createCustom(name, 'gauge', '') as Gauge | undefined;
  }

  customHistogram(name: unknown, unit: '' | 's'): Histogram | undefined {
    return this.#createCustom(name, 'histogram', unit) as Histogram | undefined;
  }

  /** A custom instrument, created on first use; undefined (with a warning) when the name is unusable. */
  #createCustom(name: unknown, kind: InstrumentKind, unit: string): AnyInstrument | undefined {
    if (typeof name !== 'string' || !CUSTOM_NAME.test(name)) {
      this.#warner.warn(
        'custom-name',
        'custom metric names must match [a-zA-Z_][a-zA-Z0-9_.]* (at most 128 characters); the measurement was dropped',
      );
      return undefined;
    }
    // A name shaped like an API key is a secret passed in the wrong argument: it must not be exported.
    if (name.length >= 10 && looksSecret(name)) {
      this.#warner.warn(
        'custom-secret',
        'a custom metric name looks like an API key or token; the measurement was dropped',
      );
      return undefined;
    }
    const existing = this.#custom.get(name);
    if (existing !== undefined) {
      if (existing.spec.kind === kind && existing.spec.unit === unit) return existing;
      this.#warner.warn(
        `custom-kind:${name}`,
        `custom metric ${name} is a ${existing.spec.kind}${existing.spec.unit === 's' ? ' of seconds' : ''}; it cannot also be used another way`,
      );
      return undefined;
    }
    const family = prometheusName(this.#otelName(name), unit, kind).replace(SAMPLE_SUFFIX, '');
    if (this.#taken.has(family)) {
      this.#warner.warn(
        `custom-clash:${name}`,
        `custom metric ${name} would reach Prometheus under a name already in use (${family}); pick another name`,
      );
      return undefined;
    }
    if (this.#custom.size >= MAX_CUSTOM_INSTRUMENTS) {
      this.#warner.warn(
        'custom-limit',
        `at most ${MAX_CUSTOM_INSTRUMENTS} custom metrics can be created; ${name} was dropped`,
      );
      return undefined;
    }
    const spec: InstrumentSpec = {
      name,
      family: 'requests',
      kind,
      unit,
      description: `Custom ${kind} ${name}.`,
      attributes: [],
      replaces: [],
      ...(kind === 'histogram' ? { buckets: CATALOG.responseTime.buckets } : {}),
    };
    const instrument = this.#create(
      spec,
      new DynamicResolver(this.#options.maxAttributeLength, this.#warner, this.#otelName(name)),
    );
    this.#custom.set(name, instrument);
    this.#taken.add(family);
    return instrument;
  }

  #otelName(name: string): string {
    return `${this.#options.namespace}.${name}`;
  }

  #create(spec: InstrumentSpec, resolver: AttributeResolver): AnyInstrument {
    const otelName = this.#otelName(spec.name);
    const base = {
      spec,
      otelName,
      resolver,
      prometheusName: prometheusName(otelName, spec.unit, spec.kind),
      seriesLimit: this.#options.seriesLimit,
      warner: this.#warner,
      exemplars: this.#options.exemplars,
    };
    const kind = KINDS[spec.kind];
    const meter = this.#otelMeter;
    if (meter !== undefined) {
      const createHandle = kind.otel(meter, otelName, spec, (observable, cells) =>
        this.#gauges.push({ observable, cells }),
      );
      return kind.instrument({ ...base, createHandle } as InstrumentConfig<never>);
    }
    const buckets = spec.buckets ?? [];
    const exponential = spec.kind === 'histogram' && this.#options.exponential(spec.name);
    const createHandle = (owner: CellOwner, attributes: Attributes): Cell =>
      kind.cell(owner, attributes, buckets, exponential);
    return kind.instrument({ ...base, createHandle } as InstrumentConfig<never>);
  }
}
