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
  readonly #get: Lookup;
  #root: Node | Handle | undefined;

  constructor(keys: readonly string[]) {
    this.#keys = keys;
    this.#get = compileLookup(keys);
  }

  /** The handle whose label values are exactly `values` (undefined for an absent label). */
  get(values: readonly unknown[]): Handle | undefined {
    return this.#get(this.#root, values, Object.hasOwn, Map) as Handle | undefined;
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
}

type Lookup = (root: unknown, values: readonly unknown[], hasOwn: typeof Object.hasOwn, map: MapConstructor) => unknown;

/**
 * The lookup of one instrument's index, compiled for its keys: a Map lookup per level until a
 * handle is reached, then the handle's attributes compared with the remaining values. One function
 * per instrument, so each reads its own Maps and attribute shapes through its own inline caches (a
 * shared loop over keys is megamorphic and costs more than the lookup itself on the record path).
 * Keys are quoted with JSON.stringify: any string is a safe property name.
 */
function compileLookup(keys: readonly string[]): Lookup {
  const names = keys.map((key) => JSON.stringify(key));
  // An absent label reads as undefined, unless the key names an Object.prototype member.
  const same = (j: number): string =>
    `(a[${names[j]}] === v[${j}] || (v[${j}] === undefined && !hasOwn(a, ${names[j]})))`;
  const levels = names.map((_, i) => {
    const rest = names
      .slice(i)
      .map((_name, offset) => same(i + offset))
      .join(' && ');
    return `if (n === undefined) return undefined;
      if (!(n instanceof map)) { const a = n.attributes; return ${rest} ? n : undefined; }
      n = n.get(v[${i}]);`;
  });
  try {
    // oxlint-disable-next-line no-new-func -- generated from quoted keys only; see above
    return new Function('n', 'v', 'hasOwn', 'map', `${levels.join('\n')}\nreturn n;`) as Lookup;
  } catch {
    // Code generation disallowed (--disallow-code-generation-from-strings, a CSP): the same lookup as a loop.
    return (root, values, hasOwn, map) => genericLookup(keys, root, values, hasOwn, map);
  }
}

/** compileLookup's function as a loop over the keys: the same answers, through shared inline caches. */
function genericLookup(
  keys: readonly string[],
  root: unknown,
  values: readonly unknown[],
  hasOwn: typeof Object.hasOwn,
  map: MapConstructor,
): unknown {
  let node = root;
  for (let i = 0; i < keys.length; i++) {
    if (node === undefined) return undefined;
    if (!(node instanceof map)) {
      const attributes = (node as Indexed).attributes;
      for (let j = i; j < keys.length; j++) {
        const key = keys[j]!;
        if (attributes[key] !== values[j] && (values[j] !== undefined || hasOwn(attributes, key))) return undefined;
      }
      return node;
    }
    node = (node as Node).get(values[i] as string | undefined);
  }
  return node;
}
