import type { Attributes } from '@opentelemetry/api';
import type { RecordAttributes } from '../types.ts';
import { cleanAttributeValue } from './values.ts';
import { describeName, type Warner } from './warn.ts';

/**
 * An attribute set resolved once: its exported attributes, and what names its series: the
 * cleaned values in allow-list order (allow-listed keys), or a key string (custom metrics).
 */
export interface ResolvedAttributes {
  readonly key: string;
  readonly values?: readonly (string | undefined)[];
  readonly attributes: Attributes;
}

const MAX_DYNAMIC_KEYS = 16;
export const LABEL_NAME: RegExp = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Label names Prometheus reserves (a histogram's `le` would be duplicated) or agentmeter uses itself. */
export const RESERVED_LABELS: ReadonlySet<string> = new Set([
  'le',
  'quantile',
  'job',
  'instance',
  'otel_metric_overflow',
]);

/** Resolves attributes against an allow-list: unknown keys are dropped with a warning. */
export class AllowListResolver {
  readonly keys: readonly string[];
  readonly #maxLength: number;
  readonly #warner: Warner;
  readonly #instrumentName: string;

  constructor(keys: readonly string[], maxLength: number, warner: Warner, instrumentName: string) {
    this.keys = keys;
    this.#maxLength = maxLength;
    this.#warner = warner;
    this.#instrumentName = instrumentName;
  }

  /**
   * The fast path: the raw allowed values, uncleaned, for the bind cache. Undefined when the
   * input needs the slow path (not an object, a throwing getter, a value of the wrong type or
   * over the length limit). Writes into `out` to avoid an allocation per call.
   */
  rawValues(input: RecordAttributes | undefined, out: unknown[]): boolean {
    const keys = this.keys;
    if (input === undefined || input === null) {
      for (let i = 0; i < keys.length; i++) out[i] = undefined;
      return true;
    }
    if (typeof input !== 'object') return false;
    try {
      for (let i = 0; i < keys.length; i++) {
        const value = (input as Record<string, unknown>)[keys[i]!];
        if (typeof value === 'string') {
          if (value.length > this.#maxLength) return false;
        } else if (value !== undefined && value !== null && typeof value !== 'number' && typeof value !== 'boolean') {
          return false;
        }
        out[i] = value ?? undefined;
      }
    } catch {
      return false;
    }
    return true;
  }

  /**
   * Resolves the values rawValues read (the one read of this call), so a getter that answers
   * differently on every read cannot make the series differ from the cache entry that finds it.
   * Unknown keys are still warned about; their values are never kept.
   */
  resolveValues(raw: readonly unknown[], input: RecordAttributes | undefined): ResolvedAttributes {
    const values: (string | undefined)[] = [];
    for (let i = 0; i < this.keys.length; i++) {
      const value = raw[i];
      values.push(value === undefined || value === null ? undefined : cleanAttributeValue(value, this.#maxLength));
    }
    if (input !== undefined && input !== null) {
      try {
        for (const key in input) {
          if (!this.keys.includes(key) && (input as Record<string, unknown>)[key] !== undefined) {
            this.#warner.warn(
              `attr-unknown:${this.#instrumentName}`,
              `${this.#instrumentName} accepts only [${this.keys.join(', ')}]; other attributes were dropped (declare extra keys with the meter's \`attributes\` option)`,
            );
            break;
          }
        }
      } catch {
        // Only the warning is lost: the values were read already.
      }
    }
    return this.#build(values);
  }

  /** The slow path: cleans every value and warns about dropped keys and values. */
  resolve(input: RecordAttributes | undefined): ResolvedAttributes {
    if (input === undefined || input === null) return this.#build([]);
    if (typeof input !== 'object') {
      this.#warner.warn(
        `attrs-type:${this.#instrumentName}`,
        `attributes for ${this.#instrumentName} must be an object; got ${typeof input}, recorded without attributes`,
      );
      return this.#build([]);
    }
    const values: (string | undefined)[] = [];
    let found = 0;
    try {
      for (const key of this.keys) {
        const raw = (input as Record<string, unknown>)[key];
        if (raw === undefined || raw === null) {
          values.push(undefined);
          continue;
        }
        found++;
        const clean = cleanAttributeValue(raw, this.#maxLength);
        if (clean === undefined) {
          this.#warner.warn(
            `attr-value:${this.#instrumentName}:${key}`,
            `attribute ${key} of ${this.#instrumentName} must be a string, number or boolean; dropped`,
          );
        }
        values.push(clean);
      }
      let total = 0;
      for (const key in input) if ((input as Record<string, unknown>)[key] !== undefined) total++;
      if (total > found) {
        this.#warner.warn(
          `attr-unknown:${this.#instrumentName}`,
          `${this.#instrumentName} accepts only [${this.keys.join(', ')}]; other attributes were dropped (declare extra keys with the meter's \`attributes\` option)`,
        );
      }
    } catch {
      this.#warner.warn(
        `attrs-throw:${this.#instrumentName}`,
        `reading attributes for ${this.#instrumentName} threw; recorded without attributes`,
      );
      return this.#build([]);
    }
    return this.#build(values);
  }

  #build(values: readonly (string | undefined)[]): ResolvedAttributes {
    const attributes: Attributes = {};
    const all: (string | undefined)[] = [];
    for (let i = 0; i < this.keys.length; i++) {
      const value = values[i];
      if (value !== undefined) attributes[this.keys[i]!] = value;
      all.push(value);
    }
    return { key: '', values: all, attributes };
  }
}

/** Resolves attributes of custom metrics, whose keys are not declared: valid keys, sorted, at most 16. */
export class DynamicResolver {
  readonly keys: readonly string[] = [];
  readonly #maxLength: number;
  readonly #warner: Warner;
  readonly #instrumentName: string;

  constructor(maxLength: number, warner: Warner, instrumentName: string) {
    this.#maxLength = maxLength;
    this.#warner = warner;
    this.#instrumentName = instrumentName;
  }

  /** Only called after rawValues accepted the input, i.e. for no attributes at all. */
  resolveValues(_raw: readonly unknown[], _input: RecordAttributes | undefined): ResolvedAttributes {
    return { key: '', attributes: {} };
  }

  /** Custom metrics always take the slow path: their keys are not known in advance. */
  rawValues(input: RecordAttributes | undefined, out: unknown[]): boolean {
    out.length = 0;
    return input === undefined || input === null;
  }

  resolve(input: RecordAttributes | undefined): ResolvedAttributes {
    const attributes: Attributes = {};
    if (input === undefined || input === null || typeof input !== 'object') return { key: '', attributes };
    try {
      const keys = Object.keys(input)
        .filter((key) => LABEL_NAME.test(key) && !key.startsWith('__') && !RESERVED_LABELS.has(key))
        .toSorted();
      if (keys.length > MAX_DYNAMIC_KEYS) {
        this.#warner.warn(
          `attr-many:${this.#instrumentName}`,
          `${this.#instrumentName} got ${keys.length} attribute keys; only the first ${MAX_DYNAMIC_KEYS} are kept`,
        );
        keys.length = MAX_DYNAMIC_KEYS;
      }
      const parts: string[] = [];
      for (const name of keys) {
        const clean = cleanAttributeValue((input as Record<string, unknown>)[name], this.#maxLength);
        if (clean === undefined) continue;
        attributes[name] = clean;
        // Length-prefixed, so no value (NUL included) can make two label sets share a key.
        parts.push(`${name.length}:${name}${clean.length}:${clean}`);
      }
      // join() builds one flat string: the key is kept per series, a chain of concatenations would cost more.
      return { key: parts.join(''), attributes };
    } catch {
      this.#warner.warn(
        `attrs-throw:${this.#instrumentName}`,
        `reading attributes for ${describeName(this.#instrumentName)} threw; recorded without attributes`,
      );
      return { key: '', attributes: {} };
    }
  }
}

export type AttributeResolver = AllowListResolver | DynamicResolver;
