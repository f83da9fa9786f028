/**
 * A cache from raw attribute values to series handles, as nested Maps (one level per allowed
 * key), so a hit costs a few Map lookups on strings whose hashes V8 has already computed, and
 * no key string is built. Bounded: when it holds `limit` entries it starts over.
 */
export class BindCache<Handle> {
  readonly #depth: number;
  readonly #limit: number;
  #root = new Map<unknown, unknown>();
  #size = 0;

  constructor(depth: number, limit: number) {
    this.#depth = depth;
    this.#limit = limit;
  }

  get(values: readonly unknown[]): Handle | undefined {
    if (this.#depth === 0) return this.#root.get(undefined) as Handle | undefined;
    let node: unknown = this.#root;
    for (let i = 0; i < this.#depth; i++) {
      node = (node as Map<unknown, unknown>).get(values[i]);
      if (node === undefined) return undefined;
    }
    return node as Handle;
  }

  set(values: readonly unknown[], handle: Handle): void {
    if (this.#size >= this.#limit) {
      this.#root = new Map();
      this.#size = 0;
    }
    if (this.#depth === 0) {
      this.#root.set(undefined, handle);
      return;
    }
    let node = this.#root;
    for (let i = 0; i < this.#depth - 1; i++) {
      let next = node.get(values[i]) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(values[i], next);
      }
      node = next;
    }
    node.set(values[this.#depth - 1], handle);
    this.#size++;
  }
}
