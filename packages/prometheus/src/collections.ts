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
  /**
   * The taker is done with `bytes` (the socket has taken them). Once every taker of a round's body
   * has released it, the round may hand its buffer to the next round's writer; a taker that never
   * releases (a framework mount, `render()`) only keeps the buffer from being reused.
   */
  readonly release: () => void;
}

export type BodyKind = ExpositionFormat | 'json';

/** Gives a finished body's buffer back to the writer that rendered it. */
export type Recycle = (kind: BodyKind, bytes: Buffer) => void;

/** One body of a round and how many takers still hold it. */
interface Rendered {
  readonly bytes: Promise<{ readonly bytes: Buffer; readonly gzip: boolean }>;
  takers: number;
  recycled: boolean;
}

/** One collection and the bodies rendered from it, each rendered (and compressed) at most once. */
export class Round {
  readonly collected: Collected;
  readonly #render: (collected: Collected, kind: BodyKind) => Promise<Buffer>;
  readonly #recycle: Recycle | undefined;
  readonly #bodies = new Map<string, Rendered>();
  #released = false;

  constructor(
    collected: Collected,
    render: (collected: Collected, kind: BodyKind) => Promise<Buffer>,
    recycle?: Recycle,
  ) {
    this.collected = collected;
    this.#render = render;
    this.#recycle = recycle;
  }

  /**
   * Releases the collection once its bodies are rendered. Every request that shares the round asks
   * for its body in the turn the round resolves (they await it), so one turn later the set of
   * bodies is complete; a body first asked for after that is refused rather than rendered from
   * data points that may have been reused.
   */
  releaseWhenRendered(): void {
    setImmediate(() => {
      void Promise.allSettled([...this.#bodies.values()].map((rendered) => rendered.bytes)).then(() => {
        this.#released = true;
        this.collected.release?.();
        for (const key of this.#bodies.keys()) this.#recycleIfDone(key);
      });
    });
  }

  /** The body of this kind and encoding; each call is a taker, which releases it when done. */
  body(kind: BodyKind, gzipWanted: boolean): Promise<Body> {
    const key = `${kind}${gzipWanted ? '+gzip' : ''}`;
    let rendered = this.#bodies.get(key);
    if (rendered === undefined) {
      if (this.#released)
        return Promise.reject(new Error('@agentmeter/prometheus: a body was asked of a released round'));
      rendered = { bytes: gzipWanted ? this.#gzipped(kind) : this.#plain(kind), takers: 0, recycled: false };
      this.#bodies.set(key, rendered);
    }
    rendered.takers++;
    const taken = rendered;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      taken.takers--;
      this.#recycleIfDone(key);
    };
    return taken.bytes.then(
      (body) => ({ bytes: body.bytes, gzip: body.gzip, release }),
      (error: unknown) => {
        release();
        throw error;
      },
    );
  }

  #plain(kind: BodyKind): Promise<{ bytes: Buffer; gzip: boolean }> {
    return this.#render(this.collected, kind).then((bytes) => ({ bytes, gzip: false }));
  }

  async #gzipped(kind: BodyKind): Promise<{ bytes: Buffer; gzip: boolean }> {
    const plain = await this.body(kind, false);
    // A small body is sent as it is, so the plain body stays taken (never reused) under this key.
    if (plain.bytes.length <= GZIP_MIN_BYTES) return { bytes: plain.bytes, gzip: false };
    try {
      return {
        bytes: await gzipAsync(plain.bytes, { level: constants.Z_BEST_SPEED, chunkSize: 256 * 1024 }),
        gzip: true,
      };
    } finally {
      plain.release();
    }
  }

  /** A plain body nobody holds any more, of a round that renders nothing more, goes back to its writer. */
  #recycleIfDone(key: string): void {
    const rendered = this.#bodies.get(key);
    if (!this.#released || rendered === undefined || rendered.takers > 0 || rendered.recycled) return;
    if (this.#recycle === undefined || key.endsWith('+gzip')) return;
    rendered.recycled = true;
    const recycle = this.#recycle;
    void rendered.bytes.then(
      ({ bytes }) => recycle(key as BodyKind, bytes),
      () => {},
    );
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

  readonly #recycle: Recycle | undefined;

  constructor(
    collect: () => Promise<Collected>,
    render: (collected: Collected, kind: BodyKind) => Promise<Buffer>,
    windowMs: number,
    recycle?: Recycle,
  ) {
    this.#collect = collect;
    this.#render = render;
    this.#windowMs = windowMs;
    this.#recycle = recycle;
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
      const round = new Round(collected, this.#render, this.#recycle);
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
