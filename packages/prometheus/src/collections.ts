import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ExpositionFormat } from './serialize/exposition.ts';
import type { MetricFamily } from './serialize/families.ts';

const gzipAsync = promisify(gzip);
/** Bodies this small are sent as they are: gzip would save nothing worth its CPU. */
const GZIP_MIN_BYTES = 1024;

/** What one collection produced. */
export interface Collected {
  readonly resourceMetrics: ResourceMetrics;
  readonly families: MetricFamily[];
}

/** A body for one format, compressed or not. */
export interface Body {
  readonly bytes: Buffer;
  readonly gzip: boolean;
}

export type BodyKind = ExpositionFormat | 'json';

/** One collection and the bodies rendered from it, each rendered (and compressed) at most once. */
export class Round {
  readonly collected: Collected;
  readonly #render: (collected: Collected, kind: BodyKind) => Promise<Buffer>;
  readonly #bodies = new Map<string, Promise<Body>>();

  constructor(collected: Collected, render: (collected: Collected, kind: BodyKind) => Promise<Buffer>) {
    this.collected = collected;
    this.#render = render;
  }

  body(kind: BodyKind, gzipWanted: boolean): Promise<Body> {
    const key = `${kind}${gzipWanted ? '+gzip' : ''}`;
    let body = this.#bodies.get(key);
    if (body === undefined) {
      body = gzipWanted
        ? this.body(kind, false).then(async (plain) => plain.bytes.length <= GZIP_MIN_BYTES
          ? plain
          : { bytes: await gzipAsync(plain.bytes, { level: constants.Z_BEST_SPEED }), gzip: true })
        : this.#render(this.collected, kind).then((bytes) => ({ bytes, gzip: false }));
      this.#bodies.set(key, body);
    }
    return body;
  }
}

/**
 * Shares collections between requests. A request that arrives while a collection runs joins it.
 * One that arrives less than `windowMs` after the last completed collection *started*:
 * - when no other scrape is being answered (a sequential scraper), gets that finished round at
 *   once: no new collection and no waiting;
 * - when others are (many concurrent scrapers), waits for the next collection, which starts when
 *   the window ends and serves every request that arrived in between, so hammering clients are
 *   paced to one round per window.
 * Past the window a request starts a new collection. However many scrapers ask, the service runs
 * at most one collection, and one render per format and encoding, per window, and no answer holds
 * data older than the window (plus the collection's own time). Only the latest round is kept, and
 * only while its window lasts. A failed collection is shared by the requests that waited for it,
 * then forgotten.
 */
export class SharedCollections {
  readonly #collect: () => Promise<Collected>;
  readonly #render: (collected: Collected, kind: BodyKind) => Promise<Buffer>;
  readonly #windowMs: number;
  #running: Promise<Round> | undefined;
  #next: Promise<Round> | undefined;
  #startedAt = -Infinity;
  /** The last completed round and when its collection started. */
  #latest: { readonly round: Promise<Round>; readonly startedAt: number } | undefined;

  constructor(collect: () => Promise<Collected>, render: (collected: Collected, kind: BodyKind) => Promise<Buffer>, windowMs: number) {
    this.#collect = collect;
    this.#render = render;
    this.#windowMs = windowMs;
  }

  /** The round a request is answered from; `alone`: no other scrape is being answered right now. */
  round(alone = true): Promise<Round> {
    if (this.#running !== undefined) return this.#running;
    const latest = this.#latest;
    if (alone && latest !== undefined && performance.now() - latest.startedAt < this.#windowMs) return latest.round;
    if (this.#next !== undefined) return this.#next;
    const wait = this.#startedAt + this.#windowMs - performance.now();
    if (wait <= 0) return this.fresh();
    this.#next = new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() => {
      this.#next = undefined;
      return this.#running ?? this.fresh();
    });
    return this.#next;
  }

  /** The running collection, or a new one now, whatever the window (for health rounds). */
  now(): Promise<Round> {
    return this.#running ?? this.fresh();
  }

  /** A new collection now (shared with requests that arrive while it runs). */
  fresh(): Promise<Round> {
    const startedAt = performance.now();
    this.#startedAt = startedAt;
    const running = this.#collect().then((collected) => new Round(collected, this.#render));
    this.#running = running;
    running.then(
      () => {
        if (this.#running === running) this.#running = undefined;
        // A round started earlier must not replace a newer one that finished first.
        if (this.#latest !== undefined && this.#latest.startedAt > startedAt) return;
        const latest = { round: running, startedAt };
        this.#latest = latest;
        // Past the window nobody is served this round: its bodies are let go rather than kept while idle.
        setTimeout(() => {
          if (this.#latest === latest) this.#latest = undefined;
        }, Math.max(0, startedAt + this.#windowMs - performance.now())).unref();
      },
      () => {
        if (this.#running === running) this.#running = undefined;
      },
    );
    return running;
  }
}
