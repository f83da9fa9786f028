import { AgentMeterConfigError } from '../errors.ts';
import { TOKEN_TYPES, type BillingUnit, type PriceEntry, type PriceTier } from './types.ts';

const UNITS: readonly BillingUnit[] = ['token', 'character', 'second', 'minute', 'request'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_NAME_LENGTH = 200;
const PRICE_FIELDS = [...TOKEN_TYPES, 'price', 'request'] as const;
const MAX_TIERS = 20;

/** The date a row's `effective` field names, as milliseconds since the epoch (UTC midnight). */
export function effectiveTime(effective: string): number {
  return Date.parse(`${effective}T00:00:00Z`);
}

function fail(where: string, message: string): never {
  throw new AgentMeterConfigError(`agentmeter pricing: ${where}: ${message}`);
}

function checkName(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    fail(where, `"${field}" must be a non-empty string, got ${describe(value)}`);
  }
  if (value.length > MAX_NAME_LENGTH) fail(where, `"${field}" is longer than ${MAX_NAME_LENGTH} characters`);
  return value;
}

function checkPrice(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(where, `"${field}" must be a finite number >= 0 (USD), got ${describe(value)}`);
  }
  return value;
}

function checkTiers(where: string, value: unknown): PriceTier[] {
  const example = '[{"above":200000,"input":6,"output":22.5}]';
  if (!Array.isArray(value) || value.length > MAX_TIERS)
    fail(where, `"tiers" must be an array of at most ${MAX_TIERS} tiers such as ${example}, got ${describe(value)}`);
  return value.map((tier: unknown, i) => {
    if (tier === null || typeof tier !== 'object' || Array.isArray(tier))
      fail(where, `"tiers"[${i}] must be an object such as ${example}, got ${describe(tier)}`);
    const t = tier as Record<string, unknown>;
    if (typeof t.above !== 'number' || !Number.isSafeInteger(t.above) || t.above < 0) {
      fail(where, `"tiers"[${i}].above must be a whole number of input tokens >= 0, got ${describe(t.above)}`);
    }
    const out: { -readonly [K in keyof PriceTier]: PriceTier[K] } = { above: t.above };
    for (const field of TOKEN_TYPES)
      if (t[field] !== undefined) out[field] = checkPrice(where, `tiers[${i}].${field}`, t[field]);
    const unknown = Object.keys(t).filter(
      (key) => key !== 'above' && !(TOKEN_TYPES as readonly string[]).includes(key),
    );
    if (unknown.length > 0)
      fail(
        where,
        `"tiers"[${i}] has unknown field ${JSON.stringify(unknown[0]!.slice(0, 40))}; use above, ${TOKEN_TYPES.join(', ')}`,
      );
    return out;
  });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value;
}

/**
 * Checks one row (from code or a JSON file) and returns a clean copy, or throws an
 * AgentMeterConfigError that names the row and says what to change.
 */
export function validatePriceEntry(row: unknown, where: string): PriceEntry {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) {
    fail(
      where,
      `expected an object like {"provider":"openai","model":"gpt-4o","effective":"2025-01-01","unit":"token","input":2.5,"output":10}, got ${describe(row)}`,
    );
  }
  const r = row as Record<string, unknown>;
  const provider = checkName(where, 'provider', r.provider).toLowerCase();
  const model = checkName(where, 'model', r.model);
  const at = `${where} (${provider}/${model})`;
  const effective = r.effective;
  if (typeof effective !== 'string' || !DATE.test(effective) || Number.isNaN(effectiveTime(effective))) {
    fail(at, `"effective" must be an ISO date such as "2025-01-01", got ${describe(effective)}`);
  }
  const unit = r.unit as BillingUnit;
  if (!UNITS.includes(unit)) fail(at, `"unit" must be one of ${UNITS.join(', ')}, got ${describe(r.unit)}`);
  const entry: { -readonly [K in keyof PriceEntry]: PriceEntry[K] } = { provider, model, effective, unit };
  for (const field of PRICE_FIELDS) if (r[field] !== undefined) entry[field] = checkPrice(at, field, r[field]);
  if (r.tiers !== undefined) entry.tiers = checkTiers(at, r.tiers);
  if (r.source !== undefined) entry.source = checkName(at, 'source', r.source);
  if (unit === 'token') {
    if (entry.input === undefined && entry.output === undefined) {
      fail(at, 'a "token" row needs "input" and/or "output" (USD per million tokens)');
    }
    if (entry.price !== undefined)
      fail(
        at,
        `a "token" row takes ${TOKEN_TYPES.join(', ')} (USD per million tokens) and "request" (USD per call), not "price"`,
      );
  } else {
    if (entry.price === undefined) fail(at, `a "${unit}" row needs "price" (USD per ${unit})`);
    const tokenOnly = [...TOKEN_TYPES, 'request', 'tiers'].find((field) => r[field] !== undefined);
    if (tokenOnly !== undefined) fail(at, `"${tokenOnly}" applies to "token" rows only; a "${unit}" row has "price"`);
  }
  return entry;
}

/** Validates a list of rows; a list is an array, or an object with a `prices` array (the JSON file format). */
export function validatePriceList(value: unknown, where: string): PriceEntry[] {
  const list = Array.isArray(value)
    ? value
    : value !== null && typeof value === 'object' && Array.isArray((value as { prices?: unknown }).prices)
      ? (value as { prices: unknown[] }).prices
      : fail(where, 'expected an array of price rows or an object {"prices": [...]}');
  return list.map((row, index) => validatePriceEntry(row, `${where}, row ${index}`));
}
