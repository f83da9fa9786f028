import type { Attributes } from '@opentelemetry/api';
import { prometheusLabelName } from '@agentmeter/core';
import { Warner } from '@agentmeter/core/internal';
import { attributeText, escapeLabelValue } from './escape.ts';
import type { InstrumentationScope } from './families.ts';

const SCOPE_PREFIX = 'otel_scope_';

/**
 * Turns attribute objects into label text (`a="x",b="y"`, escaped) once per object: the SDK and
 * agentmeter's producer hand out the same attributes object for a series on every collection,
 * so a scrape does no per-series escaping after the first.
 */
export class LabelCache {
  readonly #text = new WeakMap<Attributes, string>();
  readonly #bytes = new WeakMap<Attributes, Buffer>();
  readonly #names = new Map<string, string>();
  readonly #scopeText = new WeakMap<InstrumentationScope, string>();
  readonly #scoped = new WeakMap<InstrumentationScope, WeakMap<Attributes, Buffer>>();
  readonly #warner = new Warner();

  /** The escaped label text of an attribute set, without braces; '' when it has no attributes. */
  text(attributes: Attributes): string {
    let text = this.#text.get(attributes);
    if (text === undefined) {
      text = this.#build(attributes);
      this.#text.set(attributes, text);
    }
    return text;
  }

  /** The same label text, UTF-8 encoded (lone surrogates become U+FFFD). */
  bytes(attributes: Attributes): Buffer {
    let bytes = this.#bytes.get(attributes);
    if (bytes === undefined) {
      bytes = Buffer.from(this.#uncached(attributes), 'utf8');
      this.#bytes.set(attributes, bytes);
    }
    return bytes;
  }

  /**
   * The label bytes of a point with its scope first: `otel_scope_name`, `otel_scope_version`
   * and `otel_scope_schema_url` (when set), as the OpenTelemetry Prometheus compatibility
   * specification asks. An attribute whose label name starts with `otel_scope_` gives way to them.
   */
  scopedBytes(scope: InstrumentationScope, attributes: Attributes): Buffer {
    let byAttributes = this.#scoped.get(scope);
    if (byAttributes === undefined) {
      byAttributes = new WeakMap();
      this.#scoped.set(scope, byAttributes);
    }
    let bytes = byAttributes.get(attributes);
    if (bytes === undefined) {
      let own = this.#uncached(attributes);
      if (own.includes(SCOPE_PREFIX)) own = this.#build(attributes, (name) => name.startsWith(SCOPE_PREFIX));
      const scopeText = this.#scopeLabels(scope);
      bytes = Buffer.from(own === '' ? scopeText : `${scopeText},${own}`, 'utf8');
      byAttributes.set(attributes, bytes);
    }
    return bytes;
  }

  /**
   * The label text without keeping it: a series' label bytes are cached, and its text is not needed
   * again (one string per series less, at rest and in the first scrape's garbage).
   */
  #uncached(attributes: Attributes): string {
    return this.#text.get(attributes) ?? this.#build(attributes);
  }

  #scopeLabels(scope: InstrumentationScope): string {
    let text = this.#scopeText.get(scope);
    if (text === undefined) {
      text = `otel_scope_name="${escapeLabelValue(String(scope.name))}"`;
      if (scope.version !== undefined && scope.version !== '')
        text += `,otel_scope_version="${escapeLabelValue(String(scope.version))}"`;
      if (scope.schemaUrl !== undefined && scope.schemaUrl !== '')
        text += `,otel_scope_schema_url="${escapeLabelValue(String(scope.schemaUrl))}"`;
      this.#scopeText.set(scope, text);
    }
    return text;
  }

  /** Label names and raw values, for the JSON snapshot. Keys that sanitize alike are joined with `;`. */
  labels(attributes: Attributes): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const key of Object.keys(attributes)) {
      const name = this.labelName(key);
      if (name === '') continue;
      const value = attributeText(attributes[key]);
      const previous = labels[name];
      labels[name] = previous === undefined ? value : `${previous};${value}`;
    }
    return labels;
  }

  /** The label name of an attribute key; '' when the key cannot be a label (it is then left out). */
  labelName(key: string): string {
    let name = this.#names.get(key);
    if (name === undefined) {
      name = prometheusLabelName(key);
      // `le` belongs to histogram buckets; an attribute of that name would duplicate it.
      if (name === 'le') name = 'exported_le';
      // Names starting with __ are Prometheus's own (`__name__`); an empty key has no label name.
      if (name.startsWith('__')) name = `exported${name}`;
      if (name === '')
        this.#warner.warn('label-empty', 'left out an attribute with an empty key: it has no Prometheus label name');
      if (this.#names.size < 10_000) this.#names.set(key, name);
    }
    return name;
  }

  #build(attributes: Attributes, skip?: (name: string) => boolean): string {
    let text = '';
    const seen = new Set<string>();
    for (const key of Object.keys(attributes)) {
      const name = this.labelName(key);
      if (skip?.(name) === true) continue;
      if (name === '') continue;
      // Rare: two keys sanitize to the same label name (`a.b`, `a_b`); join their values.
      if (seen.has(name)) return this.#buildJoined(attributes, skip);
      seen.add(name);
      text += `${text === '' ? '' : ','}${name}="${escapeLabelValue(attributeText(attributes[key]))}"`;
    }
    return text;
  }

  #buildJoined(attributes: Attributes, skip?: (name: string) => boolean): string {
    const labels = this.labels(attributes);
    let text = '';
    for (const name of Object.keys(labels)) {
      if (skip?.(name) === true) continue;
      text += `${text === '' ? '' : ','}${name}="${escapeLabelValue(labels[name]!)}"`;
    }
    return text;
  }
}
