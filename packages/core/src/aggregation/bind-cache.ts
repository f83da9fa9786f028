/**
 * The rest of one attribute-value path below a level where it is the only one: the values of the
 * deeper levels and the handle. A series whose first values are new costs this small object, not
 * a Map per remaining level.
 */
class Leaf<Handle> {
  readonly rest: readonly unknown[];
  readonly handle: Handle;

  constructor(rest: readonly unknown[], handle: Handle) {
    this.rest = rest;
    this.handle = handle;
  }

  matches(values: readonly unknown[], from: number): boolean {
    const rest = this.rest;
    for (let i = 0; i < rest.length; i++) if (rest[i] !== values[from + i]) return false;
    return true;
  }
}

type Node = Map<unknown, unknown>;

/**
 * A cache from raw attribute values to series handles, as nested Maps (one level per allowed
 * key), so a hit costs a few Map lookups on strings whose hashes V8 has already computed, and
 * no key string is built. A path is only split into Maps as deep as another path shares it; below
 * that it ends in one Leaf. Bounded: when it holds `limit` entries it starts over.
 */
export class BindCache<Handle> {
  readonly #depth: number;
  readonly #limit: number;
  #root: Node = new Map();
  #size = 0;

  constructor(depth: number, limit: number) {
    this.#depth = depth;
    this.#limit = limit;
  }

  get(values: readonly unknown[]): Handle | undefined {
    const depth = this.#depth;
    if (depth === 0) return this.#root.get(undefined) as Handle | undefined;
    let node: Node = this.#root;
    for (let i = 0; i < depth; i++) {
      const next = node.get(values[i]);
      if (next === undefined) return undefined;
      if (next instanceof Leaf) return next.matches(values, i + 1) ? (next.handle as Handle) : undefined;
      if (i === depth - 1) return next as Handle;
      node = next as Node;
    }
    return undefined;
  }

  set(values: readonly unknown[], handle: Handle): void {
    if (this.#size >= this.#limit) {
      this.#root = new Map();
      this.#size = 0;
    }
    const depth = this.#depth;
    if (depth === 0) {
      this.#root.set(undefined, handle);
      return;
    }
    let node = this.#root;
    for (let i = 0; i < depth; i++) {
      const key = values[i];
      const next = node.get(key);
      if (i === depth - 1) {
        node.set(key, handle);
        break;
      }
      if (next === undefined) {
        node.set(key, new Leaf(values.slice(i + 1, depth), handle));
        break;
      }
      if (next instanceof Leaf) {
        if (next.matches(values, i + 1)) {
          node.set(key, new Leaf(next.rest, handle));
          return;
        }
        // Two paths share this value: the level below becomes a Map holding both.
        const split: Node = new Map();
        split.set(next.rest[0], next.rest.length === 1 ? next.handle : new Leaf(next.rest.slice(1), next.handle));
        node.set(key, split);
        node = split;
        continue;
      }
      node = next as Node;
    }
    this.#size++;
  }
}
