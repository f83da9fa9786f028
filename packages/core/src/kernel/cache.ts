/** Series cached per table of the kernel; past it, series are built per call (and not kept). */
const MAX_CACHED = 500;

/**
 * A bounded cache of series keyed by up to three values (nested maps keyed by the caller's own
 * values: no key string, and nothing else, is allocated per call on a hit).
 */
export class SeriesCache<S> {
  readonly #root = new Map<unknown, Map<unknown, Map<unknown, S>>>();
  #cached = 0;

  get(a: unknown, b: unknown, c: unknown): S | undefined {
    return this.#root.get(a)?.get(b)?.get(c);
  }

  /** Keeps `series` unless the cache is full; returns it either way. */
  set(a: unknown, b: unknown, c: unknown, series: S): S {
    if (this.#cached >= MAX_CACHED) return series;
    let level1 = this.#root.get(a);
    if (level1 === undefined) this.#root.set(a, (level1 = new Map()));
    let level2 = level1.get(b);
    if (level2 === undefined) level1.set(b, (level2 = new Map()));
    level2.set(c, series);
    this.#cached += 1;
    return series;
  }
}
