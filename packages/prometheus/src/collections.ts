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
  /** Called once nothing reads the data points any more (they may be reused by the next collection). */
  readonly release?: (() => void) | undefined;
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
  #released = false;

  constructor(collected: Collected, render: (collected: Collected, kind: BodyKind) => Promise<Buffer>) {
    this.collected = collected;
    this.#render = render;
  }

  /**
   * Releases the collection once its bodies are rendered. Every request that shares the round asks
   * for its body in the turn the round resolves (they await it), so one turn later the set of
   * bodies is complete; a body first asked for after that is refused rather than rendered from
   * data points that may have been reused.
   */
  releaseWhenRendered(): void {
    setImmediate(() => {
      void Promise.allSettled(this.#bodies.values()).then(() => {
        this.#released = true;
        this.collected.release?.();
      });
    });
  }

  body(kind: BodyKind, gzipWanted: boolean): Promise<Body> {
    const key = `${kind}${gzipWanted ? '+gzip' : ''}`;
    let body = this.#bodies.get(key);
    if (body === undefined) {
      if (this.#released)
        return Promise.reject(new Error('@agentmeter/prometheus: a body was asked of a released round'));
      body = gzipWanted
        ? this.body(kind, false).then(async (plain) =>
            plain.bytes.length <= GZIP_MIN_BYTES
              ? plain
              : {
                  bytes: await gzipAsync(plain.bytes, { level: constants.Z_BEST_SPEED, chunkSize: 256 * 1024 }),
                  gzip: true,
                },
          )
        : this.#render(this.collected, kind).then((bytes) => ({ bytes, gzip: false }));
      this.#bodies.set(key, body);
    }
    return body;
  }
}

/**
 * Shares collections between requests. A request that arrives while a collection runs joins it.
 * Otherwise:
 * - when no other scrape is being answered (one scraper, or one scraper after another), it starts
 *   a new collection at once, so a scrape that follows a change always shows it (read after write)
 *   and never waits for the window;
 * - when others are (many concurrent scrapers) and the last collection started less than
 *   `windowMs` ago, it waits for the next collection, which starts when the window ends and serves
 *   every request that arrived in between, so hammering clients are paced to one round per window.
 * However many scrapers ask at once, the service runs at most one collection at a time, and one
 * render per format and encoding per collection. No round is kept once its requests are answered.
 * A failed collection is shared by the requests that waited for it, then forgotten.
 */
export class SharedCollections {
  readonly #collect: () => Promise<Collected>;
  readonly #render: (collected: Collected, kind: BodyKind) => Promise<Buffer>;
  readonly #windowMs: number;
  #running: Promise<Round> | undefined;
  #next: Promise<Round> | undefined;
  #startedAt = -Infinity;

  constructor(
    collect: () => Promise<Collected>,
    render: (collected: Collected, kind: BodyKind) => Promise<Buffer>,
    windowMs: number,
  ) {
    this.#collect = collect;
    this.#render = render;
    this.#windowMs = windowMs;
  }

  /** The round a request is answered from; `alone`: no other scrape is being answered right now. */
  round(alone = true): Promise<Round> {
    if (this.#running !== undefined) return this.#running;
    if (alone) return this.fresh();
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
    this.#startedAt = performance.now();
    const running = this.#collect().then((collected) => {
      const round = new Round(collected, this.#render);
      round.releaseWhenRendered();
      return round;
    });
    this.#running = running;
    const settled = (): void => {
      if (this.#running === running) this.#running = undefined;
    };
    running.then(settled, settled);
    return running;
  }
}
