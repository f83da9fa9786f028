import { readFileSync } from 'node:fs';
import { diag } from '@opentelemetry/api';
import { AgentMeterConfigError } from '../errors.ts';
import { looksSecret } from '../safety/values.ts';
import { DEFAULT_PRICES } from './default-prices.ts';
import type { PriceEntry } from './types.ts';
import { effectiveTime, validatePriceList } from './validate.ts';

/** What a call used, in the units providers bill by. Token counts are plain counts, not millions. */
export interface UsageAmounts {
  /** Input tokens billed at the full input price (cached tokens not included). */
  readonly input?: number;
  readonly output?: number;
  /** Input tokens read from the provider's prompt cache. */
  readonly cached_input?: number;
  readonly characters?: number;
  readonly seconds?: number;
  readonly minutes?: number;
  readonly requests?: number;
}

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
}

export interface PricingTable {
  /** Every row, bundled and overriding, as given. */
  readonly entries: readonly PriceEntry[];
  /** The row in effect for a provider's model on a date (default now), or undefined. Never warns. */
  lookup(provider: string, model: string, at?: Date | number): PriceEntry | undefined;
  /**
   * The cost in USD of one call, or undefined when the model has no row (one warning per
   * provider/model, never a guessed price) or the usage has no amount in the row's unit.
   */
  cost(usage: PricedUsage): number | undefined;
}

/** Most unknown models remembered for the one-warning rule; past it, warnings stop. */
const MAX_WARNED = 1000;
const PER_MILLION = 1_000_000;

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

function find(index: Index, key: string, at: number): PriceEntry | undefined {
  const rows = index.get(key);
  if (rows === undefined) return undefined;
  for (const row of rows) if (row.from <= at) return row.entry;
  return undefined;
}

function amount(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** A provider or model name for a log line: shown when shaped like one, never when it could be a key or a prompt. */
function shownName(name: string): string {
  if (/^[\w.:/@-]{1,80}$/.test(name) && !looksSecret(name)) return JSON.stringify(name);
  return `(an unusual name of ${name.length} characters, not shown)`;
}

/** The cost of `usage` under one row, or undefined when the usage has nothing in the row's unit. */
export function priceUsage(entry: PriceEntry, usage: UsageAmounts): number | undefined {
  switch (entry.unit) {
    case 'token': {
      const input = amount(usage.input);
      const cached = amount(usage.cached_input);
      const output = amount(usage.output);
      if (usage.input === undefined && usage.output === undefined && usage.cached_input === undefined) return undefined;
      const inputPrice = entry.input ?? 0;
      const cachedPrice = entry.cached_input ?? inputPrice;
      return (input * inputPrice + cached * cachedPrice + output * (entry.output ?? 0)) / PER_MILLION;
    }
    case 'character':
      return usage.characters === undefined ? undefined : amount(usage.characters) * (entry.price ?? 0);
    case 'second':
      if (usage.seconds !== undefined) return amount(usage.seconds) * (entry.price ?? 0);
      return usage.minutes === undefined ? undefined : amount(usage.minutes) * 60 * (entry.price ?? 0);
    case 'minute':
      if (usage.minutes !== undefined) return amount(usage.minutes) * (entry.price ?? 0);
      return usage.seconds === undefined ? undefined : (amount(usage.seconds) / 60) * (entry.price ?? 0);
    case 'request':
      return usage.requests === undefined ? undefined : amount(usage.requests) * (entry.price ?? 0);
  }
}

/** Reads a JSON price file (an array of rows, or `{"prices": [...]}`) and validates every row. */
export function loadPriceFile(path: string): PriceEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AgentMeterConfigError(`agentmeter pricing: cannot read the price file ${JSON.stringify(path)}; check the path (option "file" or AGENTMETER_PRICING_FILE)`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AgentMeterConfigError(`agentmeter pricing: the price file ${JSON.stringify(path)} is not valid JSON`, { cause: error });
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
export function createPricingTable(entries: readonly PriceEntry[] = DEFAULT_PRICES, options: PricingTableOptions = {}): PricingTable {
  const base = validatePriceList(entries, 'pricing entries');
  const overrides = options.overrides === undefined ? [] : validatePriceList(options.overrides, 'pricing overrides');
  const file = options.file === undefined ? process.env.AGENTMETER_PRICING_FILE : options.file;
  if (typeof file === 'string' && file !== '') overrides.push(...loadPriceFile(file));
  const baseIndex = buildIndex(base);
  const overrideIndex = buildIndex(overrides);
  const warn = options.onWarning ?? ((message: string) => diag.warn(message));
  const warned = new Set<string>();

  const lookupKey = (key: string, at: number): PriceEntry | undefined =>
    find(overrideIndex, key, at) ?? find(baseIndex, key, at);

  return {
    entries: [...base, ...overrides],
    lookup: (provider, model, at) =>
      typeof provider === 'string' && typeof model === 'string' ? lookupKey(keyOf(provider, model), timeOf(at)) : undefined,
    cost(usage) {
      if (usage === null || typeof usage !== 'object') return undefined;
      const { provider, model } = usage;
      if (typeof provider !== 'string' || typeof model !== 'string') return undefined;
      const key = keyOf(provider, model);
      const entry = lookupKey(key, timeOf(usage.at));
      if (entry === undefined) {
        if (!warned.has(key) && warned.size < MAX_WARNED) {
          warned.add(key);
          warn(`agentmeter pricing: no price for provider ${shownName(provider)} model ${shownName(model)}; no cost is recorded for it. Add a row with the "overrides" option or AGENTMETER_PRICING_FILE.`);
        }
        return undefined;
      }
      return priceUsage(entry, usage);
    },
  };
}
