import type { Attributes } from '@opentelemetry/api';

/** A series handle: its exported attributes hold its label values, so the index keeps no copy of them. */
export interface Indexed {
  readonly attributes: Attributes;
}

type Node = Map<string | undefined, unknown>;

/**
 * An instrument's series by their cleaned label values (one level per allowed key, in the
 * allow-list's order), with no key string per series. A path is split into Maps only as deep as
 * another series shares it; below that the Map holds the handle itself, and the handle's
 * attributes say which values the rest of its path has. A series therefore costs one Map entry,
 * its handle and its attributes object.
 *
 * Only holds series under the limit: its size is bounded by the instrument's series limit.
 */
export class SeriesIndex<Handle extends Indexed> {
  readonly #keys: readonly string[];
  readonly #match: Matcher;
  #root: Node | Handle | undefined;

  constructor(keys: readonly string[]) {
    this.#keys = keys;
    this.#match = compileMatcher(keys);
  }

  /** The handle whose label values are exactly `values` (undefined for an absent label). */
  get(values: readonly unknown[]): Handle | undefined {
    let node = this.#root;
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) {
      if (node === undefined) return undefined;
      if (!(node instanceof Map)) return this.#matches(node, values, i) ? node : undefined;
      node = (node as Node).get(values[i] as string | undefined) as Node | Handle | undefined;
    }
    return node as Handle | undefined;
  }

  /** Adds a handle whose values no handle in the index has. */
  set(values: readonly (string | undefined)[], handle: Handle): void {
    const keys = this.#keys;
    if (keys.length === 0 || this.#root === undefined) {
      this.#root = handle;
      return;
    }
    let parent: Node | undefined;
    let node: Node | Handle = this.#root;
    for (let i = 0; i < keys.length; i++) {
      if (!(node instanceof Map)) {
        // Two series share the values up to here: this level becomes a Map holding both.
        const split: Node = new Map([[this.#value(node as Handle, i), node]]);
        if (parent === undefined) this.#root = split;
        else parent.set(values[i - 1], split);
        node = split;
      }
      const next = (node as Node).get(values[i]) as Node | Handle | undefined;
      if (next === undefined) {
        (node as Node).set(values[i], handle);
        return;
      }
      parent = node as Node;
      node = next;
    }
  }

  /** The cleaned value of the i-th label of a handle, undefined when the series has none. */
  #value(handle: Handle, i: number): string | undefined {
    const key = this.#keys[i]!;
    return Object.hasOwn(handle.attributes, key) ? (handle.attributes[key] as string) : undefined;
  }

  #matches(handle: Handle, values: readonly unknown[], from: number): boolean {
    return this.#match(handle.attributes, values, from, Object.hasOwn);
  }
}

type Matcher = (attributes: Attributes, values: readonly unknown[], from: number, hasOwn: typeof Object.hasOwn) => boolean;

/**
 * Whether an attribute set has `values` from position `from` on. One function per instrument,
 * compiled for its keys, so each reads its own attribute shapes through its own inline caches
 * (a shared loop over keys is megamorphic and costs several times as much on the record path).
 * Keys are quoted with JSON.stringify: any string is a safe property name.
 */
function compileMatcher(keys: readonly string[]): Matcher {
  const cases = keys.map((key, i) => {
    const name = JSON.stringify(key);
    // An absent label reads as undefined, unless the key names an Object.prototype member.
    return `case ${i}: if (a[${name}] !== v[${i}] && (v[${i}] !== undefined || hasOwn(a, ${name}))) return false;`;
  });
  // oxlint-disable-next-line no-new-func -- generated from quoted keys only; see above
  return new Function('a', 'v', 'from', 'hasOwn', `switch (from) { ${cases.join(' ')} } return true;`) as Matcher;
}
