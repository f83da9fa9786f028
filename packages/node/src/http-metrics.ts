import { HistogramCell, UpDownCounterCell } from '@agentmeter/core/internal';
import type { CellOwner, InstrumentSource, ProducedInstrument } from '@agentmeter/core/internal';
import type { InstrumentSpec } from '@agentmeter/core';
import { diag } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { NODE_SCOPE } from './scope.ts';

/** The buckets instrumentation-http and -undici give these histograms, so dashboards and rules keep working. */
export const HTTP_SECONDS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** HTTP methods semantic conventions name; any other method is reported as `_OTHER`. */
export const KNOWN_METHODS: readonly string[] = [
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
];
const OTHER = KNOWN_METHODS.length;

/**
 * 0 to 9 for a known method (its index in KNOWN_METHODS), 10 for any other (`_OTHER`). A switch
 * rather than a Map: node:http's method strings are interned, so a match is a pointer comparison
 * and a request makes no hash lookup.
 */
export function methodIndex(method: string | undefined): number {
  switch (method) {
    case 'GET':
    case undefined:
      return 2;
    case 'POST':
      return 6;
    case 'PUT':
      return 7;
    case 'DELETE':
      return 1;
    case 'PATCH':
      return 5;
    case 'HEAD':
      return 3;
    case 'OPTIONS':
      return 4;
    case 'CONNECT':
      return 0;
    case 'QUERY':
      return 8;
    case 'TRACE':
      return 9;
    default:
      return OTHER;
  }
}

export function methodName(index: number): string {
  return KNOWN_METHODS[index] ?? '_OTHER';
}

const VERSIONS = ['1.1', '1.0', '2', '3'];
const VERSION_INDEX = new Map(VERSIONS.map((version, index) => [version, index]));
/** 0 to 3 for HTTP 1.1, 1.0, 2 and 3; 4 when unknown. */
export function versionIndex(version: string | undefined): number {
  return version === undefined ? VERSIONS.length : (VERSION_INDEX.get(version) ?? VERSIONS.length);
}
/** versionIndex of `${major}.${minor}` (node:http's httpVersion), without building the string for 1.1 and 1.0. */
export function versionOf(major: number, minor: number): number {
  if (major === 1 && (minor === 1 || minor === 0)) return 1 - minor;
  return versionIndex(`${major}.${minor}`);
}
export function versionName(index: number): string | undefined {
  return VERSIONS[index];
}

const OVERFLOW: Attributes = Object.freeze({ 'otel.metric.overflow': true });

function spec(name: string, kind: 'histogram' | 'updowncounter', unit: string, description: string): InstrumentSpec {
  return {
    name,
    family: 'requests',
    kind,
    unit,
    description,
    attributes: [],
    replaces: [],
    ...(kind === 'histogram' ? { buckets: HTTP_SECONDS } : {}),
  };
}

/**
 * Cells of one instrument keyed by a small integer code and an optional string (a route, a host),
 * so a request finds its series in two Map lookups and builds no key. Past the series limit new
 * attribute sets share one overflow series, with one warning.
 */
export class SeriesTable<Cell> implements ProducedInstrument {
  readonly spec: InstrumentSpec;
  readonly otelName: string;
  readonly #byText = new Map<string | undefined, Map<number, Cell>>();
  readonly #all: Cell[] = [];
  readonly #limit: number;
  readonly #create: (attributes: Attributes) => Cell;
  #overflow: Cell | undefined;
  /** The series found last: consecutive requests of one kind skip both Map lookups. */
  #lastText: string | undefined;
  #lastCode = -1;
  #last: Cell | undefined;

  constructor(instrument: InstrumentSpec, limit: number, create: (attributes: Attributes) => Cell) {
    this.spec = instrument;
    this.otelName = instrument.name;
    this.#limit = limit;
    this.#create = create;
  }

  find(text: string | undefined, code: number): Cell | undefined {
    if (code === this.#lastCode && text === this.#lastText) return this.#last;
    const cell = this.#byText.get(text)?.get(code);
    if (cell !== undefined) this.#remember(text, code, cell);
    return cell;
  }

  #remember(text: string | undefined, code: number, cell: Cell): void {
    this.#lastText = text;
    this.#lastCode = code;
    this.#last = cell;
  }

  add(text: string | undefined, code: number, attributes: Attributes): Cell {
    if (this.#all.length >= this.#limit) {
      if (this.#overflow === undefined) {
        diag.warn(
          `agentmeter: ${this.otelName} reached its series limit of ${this.#limit}; new attribute sets are counted in the otel.metric.overflow series (raise seriesLimit, or check that routes are templates)`,
        );
        this.#overflow = this.#create(OVERFLOW);
      }
      return this.#overflow;
    }
    let codes = this.#byText.get(text);
    if (codes === undefined) this.#byText.set(text, (codes = new Map()));
    const cell = this.#create(attributes);
    codes.set(code, cell);
    this.#all.push(cell);
    this.#remember(text, code, cell);
    return cell;
  }

  *handles(): IterableIterator<Cell> {
    yield* this.#all;
    if (this.#overflow !== undefined) yield this.#overflow;
  }
}

/** Never rejects: durations and in-flight counts are computed here, never taken from a caller. */
class Owner implements CellOwner {
  exemplars = false;
  reject(): void {}
}

/** The HTTP instruments: server and client durations and in-flight server requests. */
export class HttpMetrics implements InstrumentSource {
  readonly scope: { readonly name: string; readonly version: string } = NODE_SCOPE;
  readonly #owner = new Owner();
  readonly serverDuration: SeriesTable<HistogramCell>;
  readonly clientDuration: SeriesTable<HistogramCell>;
  readonly activeRequests: SeriesTable<UpDownCounterCell>;

  constructor(seriesLimit: number) {
    const histogram = (attributes: Attributes): HistogramCell =>
      new HistogramCell(this.#owner, attributes, HTTP_SECONDS);
    this.serverDuration = new SeriesTable(
      spec('http.server.request.duration', 'histogram', 's', 'Duration of HTTP server requests.'),
      seriesLimit,
      histogram,
    );
    this.clientDuration = new SeriesTable(
      spec('http.client.request.duration', 'histogram', 's', 'Duration of HTTP client requests.'),
      seriesLimit,
      histogram,
    );
    this.activeRequests = new SeriesTable(
      spec('http.server.active_requests', 'updowncounter', '{request}', 'Number of active HTTP server requests.'),
      seriesLimit,
      (attributes) => new UpDownCounterCell(this.#owner, attributes),
    );
  }

  /** Exemplars link durations to the active span; only worth a context lookup when spans exist. */
  set exemplars(on: boolean) {
    this.#owner.exemplars = on;
  }

  *instruments(): IterableIterator<ProducedInstrument> {
    yield this.serverDuration;
    yield this.activeRequests;
    yield this.clientDuration;
  }
}
