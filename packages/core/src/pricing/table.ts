import { readFileSync } from 'node:fs';
import { diag } from '@opentelemetry/api';
import { AgentMeterConfigError } from '../errors.ts';
import { looksSecret } from '../safety/values.ts';
import { DEFAULT_PRICES } from './default-prices.ts';
import { priceUsage, type UsageAmounts } from './price.ts';
import { LLM_PRICE_SOURCE } from './source/data.ts';
import { type ResolvedPrice, SourceLayer } from './source/layer.ts';
import type { PriceSource } from './source/types.ts';
import type { PriceEntry } from './types.ts';
import { effectiveTime, validatePriceList } from './validate.ts';

/** A call's usage with the provider and model that price it. */
export interface PricedUsage extends UsageAmounts {
  readonly provider: string;
  readonly model: string;
  /** When the call happened (default now); picks the row in effect on that date. */
  readonly at?: Date | number;
}

export interface PricingTableOptions {
  /** Rows that take precedence over `entries` for their provider and model (from code). */
  readonly overrides?: readonly PriceEntry[];
  /**
   * A JSON file of override rows (an array, or `{"prices": [...]}`), read once at creation.
   * Default: env AGENTMETER_PRICING_FILE; `false` ignores the variable.
   */
  readonly file?: string | false;
  /** Receives the one warning per unknown provider/model (default: OpenTelemetry `diag.warn`). */
  readonly onWarning?: (message: string) => void;
  /**
   * The LLM price data consulted after the rows (default: the bundled @pydantic/genai-prices
   * data, LLM_PRICE_SOURCE); `false` prices only from the rows.
   */
  readonly source?: PriceSource | false;
}

/** Where a table's LLM prices come from, and how old they are. */
export interface PriceSourceInfo {
  readonly name: string;
  readonly version: string;
  /** The day the data was published (YYYY-MM-DD). */
  readonly published: string;
}

export interface PricingTable {
  /** Every row, bundled and overriding, as given (the LLM price source's models are not listed). */
  readonly entries: readonly PriceEntry[];
  /** The LLM price source behind the rows, or undefined when the table has none. */
  readonly source: PriceSourceInfo | undefined;
  /**
   * The row in effect for a provider's model on a date (default now), or undefined. Never warns.
   * Overrides win over the rows, the rows over the LLM price source.
   */
  lookup(provider: string, model: string, at?: Date | number): PriceEntry | undefined;
  /** Like `lookup`, with the first moment (epoch ms) after `at` when another row could apply. */
  resolve(provider: string, model: string, at?: Date | number): ResolvedPrice | undefined;
  /**
   * The cost in USD of one call, or undefined when the model has no row (one warning per
   * provider/model, never a guessed price) or the usage has no amount in the row's unit.
   */
  cost(usage: PricedUsage): number | undefined;
}

/** Most unknown models remembered for the one-warning rule; past it, warnings stop. */
const MAX_WARNED = 1000;

interface Row {
  readonly entry: PriceEntry;
  readonly from: number;
}
type Index = Map<string, Row[]>;

function keyOf(provider: string, model: string): string {
  // Length-prefixed: no provider or model text can make two pairs share a key.
  const lower = provider.toLowerCase();
  return `${lower.length}:${lower}${model.toLowerCase()}`;
}

function buildIndex(entries: readonly PriceEntry[]): Index {
  const index: Index = new Map();
  for (const entry of entries) {
    const key = keyOf(entry.provider, entry.model);
    const rows = index.get(key) ?? [];
    // A later row with the same effective date replaces the earlier one.
    const from = effectiveTime(entry.effective);
    const same = rows.findIndex((row) => row.from === from);
    if (same >= 0) rows.splice(same, 1);
    rows.push({ entry, from });
    rows.sort((a, b) => b.from - a.from);
    index.set(key, rows);
  }
  return index;
}

/** The row in effect at `at` (rows are newest first); `until` is when the next newer row starts. */
function find(index: Index, key: string, at: number): { entry: PriceEntry | undefined; until: number } {
  const rows = index.get(key);
  let until = Number.POSITIVE_INFINITY;
  if (rows !== undefined) {
    for (const row of rows) {
      if (row.from <= at) return { entry: row.entry, until };
      until = row.from;
    }
  }
  return { entry: undefined, until };
}

/** A provider or model name for a log line: shown when shaped like one, never when it could be a key or a prompt. */
function shownName(name: string): string {
  if (/^[\w.:/@-]{1,80}$/.test(name) && !looksSecret(name)) return JSON.stringify(name);
  return `(an unusual name of ${name.length} characters, not shown)`;
}

/** Reads a JSON price file (an array of rows, or `{"prices": [...]}`) and validates every row. */
export function loadPriceFile(path: string): PriceEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AgentMeterConfigError(
      `agentmeter pricing: cannot read the price file ${JSON.stringify(path)}; check the path (option "file" or AGENTMETER_PRICING_FILE)`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AgentMeterConfigError(`agentmeter pricing: the price file ${JSON.stringify(path)} is not valid JSON`, {
      cause: error,
    });
  }
  return validatePriceList(parsed, `price file ${JSON.stringify(path)}`);
}

function timeOf(at: Date | number | undefined): number {
  if (at === undefined) return Date.now();
  const time = typeof at === 'number' ? at : at.getTime();
  return Number.isFinite(time) ? time : Date.now();
}

/**
 * A pricing table: bundled rows (default DEFAULT_PRICES) with user overrides layered on top.
 * Bad rows fail here, at creation, with a message naming the row.
 */
export function createPricingTable(
  entries: readonly PriceEntry[] = DEFAULT_PRICES,
  options: PricingTableOptions = {},
): PricingTable {
  const base = validatePriceList(entries, 'pricing entries');
  const overrides = options.overrides === undefined ? [] : validatePriceList(options.overrides, 'pricing overrides');
  const file = options.file === undefined ? process.env.AGENTMETER_PRICING_FILE : options.file;
  if (typeof file === 'string' && file !== '') overrides.push(...loadPriceFile(file));
  const baseIndex = buildIndex(base);
  const overrideIndex = buildIndex(overrides);
  const warn = options.onWarning ?? ((message: string) => diag.warn(message));
  const warned = new Set<string>();

  const source = options.source === false ? undefined : new SourceLayer(options.source ?? LLM_PRICE_SOURCE);

  const resolveKey = (key: string, provider: string, model: string, at: number): ResolvedPrice | undefined => {
    const override = find(overrideIndex, key, at);
    if (override.entry !== undefined) return { entry: override.entry, until: override.until };
    const row = find(baseIndex, key, at);
    // A row of a higher layer that starts later ends this answer then.
    const until = Math.min(override.until, row.until);
    if (row.entry !== undefined) return { entry: row.entry, until };
    const found = source?.resolve(key, provider, model, at);
    return found === undefined ? undefined : { entry: found.entry, until: Math.min(until, found.until) };
  };
  const resolve = (provider: unknown, model: unknown, at: Date | number | undefined): ResolvedPrice | undefined =>
    typeof provider === 'string' && typeof model === 'string'
      ? resolveKey(keyOf(provider, model), provider, model, timeOf(at))
      : undefined;

  return {
    entries: [...base, ...overrides],
    source:
      source === undefined
        ? undefined
        : { name: source.source.name, version: source.source.version, published: source.source.published },
    lookup: (provider, model, at) => resolve(provider, model, at)?.entry,
    resolve,
    cost(usage) {
      if (usage === null || typeof usage !== 'object') return undefined;
      const { provider, model } = usage;
      if (typeof provider !== 'string' || typeof model !== 'string') return undefined;
      const key = keyOf(provider, model);
      const entry = resolveKey(key, provider, model, timeOf(usage.at))?.entry;
      if (entry === undefined) {
        if (!warned.has(key) && warned.size < MAX_WARNED) {
          warned.add(key);
          warn(
            `agentmeter pricing: no price for provider ${shownName(provider)} model ${shownName(model)}; no cost is recorded for it. Add a row with the "overrides" option or AGENTMETER_PRICING_FILE.`,
          );
        }
        return undefined;
      }
      return priceUsage(entry, usage);
    },
  };
}
