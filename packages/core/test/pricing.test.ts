import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentMeterConfigError } from '../src/errors.ts';
import { DEFAULT_PRICES } from '../src/pricing/default-prices.ts';
import { createPricingTable, loadPriceFile } from '../src/pricing/table.ts';
import type { PriceEntry } from '../src/pricing/types.ts';
import { validatePriceEntry } from '../src/pricing/validate.ts';

const row = (over: Partial<PriceEntry> = {}): PriceEntry => ({
  provider: 'acme',
  model: 'm1',
  effective: '2025-01-01',
  unit: 'token',
  input: 2,
  output: 8,
  ...over,
});

function quiet(): { warnings: string[]; onWarning: (m: string) => void } {
  const warnings: string[] = [];
  return { warnings, onWarning: (m) => warnings.push(m) };
}

describe('bundled prices', () => {
  it('are all valid, dated and sourced speech rows', () => {
    for (const entry of DEFAULT_PRICES) {
      expect(validatePriceEntry(entry, 'bundled')).toEqual(entry);
      expect(entry.source).toMatch(/^https:\/\//);
      expect(entry.effective).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });
});

describe('createPricingTable', () => {
  it('looks rows up by provider and model, case-insensitively, by date', () => {
    const table = createPricingTable([row(), row({ effective: '2025-06-01', input: 1, output: 4 })], { file: false });
    expect(table.lookup('ACME', 'M1', Date.parse('2025-03-01'))?.input).toBe(2);
    expect(table.lookup('acme', 'm1', Date.parse('2025-06-01'))?.input).toBe(1);
    expect(table.lookup('acme', 'm1', Date.parse('2024-12-31'))).toBeUndefined();
    expect(table.lookup('acme', 'm2')).toBeUndefined();
  });

  it('uses the input price for cached input when the row has none', () => {
    const table = createPricingTable([row()], { file: false });
    expect(table.cost({ provider: 'acme', model: 'm1', input: 10, cached_input: 10, output: 0 })).toBe(40 / 1e6);
  });

  it('gives no cost and exactly one warning for an unknown model', () => {
    const { warnings, onWarning } = quiet();
    const table = createPricingTable([row()], { file: false, onWarning });
    expect(table.cost({ provider: 'acme', model: 'nope', input: 5 })).toBeUndefined();
    expect(table.cost({ provider: 'acme', model: 'nope', input: 5 })).toBeUndefined();
    expect(table.cost({ provider: 'other', model: 'nope', input: 5 })).toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('"nope"');
  });

  it('layers overrides over the bundled rows, falling back before their date', () => {
    const table = createPricingTable([row()], {
      file: false,
      overrides: [row({ effective: '2025-06-01', input: 100, output: 100 })],
    });
    expect(table.cost({ provider: 'acme', model: 'm1', input: 1, at: Date.parse('2025-07-01') })).toBe(100 / 1e6);
    expect(table.cost({ provider: 'acme', model: 'm1', input: 1, at: Date.parse('2025-02-01') })).toBe(2 / 1e6);
  });

  it('prices the other billing units', () => {
    const table = createPricingTable(
      [
        row({ model: 'tts', unit: 'character', input: undefined, output: undefined, price: 0.00003 }),
        row({ model: 'stt', unit: 'minute', input: undefined, output: undefined, price: 0.006 }),
        row({ model: 'sec', unit: 'second', input: undefined, output: undefined, price: 0.001 }),
        row({ model: 'req', unit: 'request', input: undefined, output: undefined, price: 0.5 }),
      ],
      { file: false },
    );
    expect(table.cost({ provider: 'acme', model: 'tts', characters: 1000 })).toBe(1000 * 0.00003);
    expect(table.cost({ provider: 'acme', model: 'stt', seconds: 30 })).toBe(0.5 * 0.006);
    expect(table.cost({ provider: 'acme', model: 'stt', minutes: 2 })).toBe(2 * 0.006);
    expect(table.cost({ provider: 'acme', model: 'sec', minutes: 1 })).toBe(60 * 0.001);
    expect(table.cost({ provider: 'acme', model: 'req', requests: 2 })).toBe(1);
    expect(table.cost({ provider: 'acme', model: 'tts', input: 5 })).toBeUndefined();
  });

  it('ignores hostile usage amounts instead of poisoning the cost', () => {
    const table = createPricingTable([row()], { file: false });
    for (const bad of [Number.NaN, Infinity, -Infinity, -5]) {
      expect(table.cost({ provider: 'acme', model: 'm1', input: bad, output: 1 })).toBe(8 / 1e6);
    }
    expect(table.cost(null as never)).toBeUndefined();
    expect(table.cost({ provider: 42, model: 'm1' } as never)).toBeUndefined();
    expect(table.lookup(undefined as never, 'm1')).toBeUndefined();
    expect(table.cost({ provider: 'acme', model: 'm1', input: 1, at: Number.NaN })).toBe(2 / 1e6);
  });

  it.each([
    [{ ...row(), provider: '' }, '"provider" must be a non-empty string'],
    [{ ...row(), model: 7 }, '"model" must be a non-empty string'],
    [{ ...row(), model: 'x'.repeat(500) }, 'longer than 200'],
    [{ ...row(), effective: '2025-13-45' }, '"effective" must be an ISO date'],
    [{ ...row(), effective: 'yesterday' }, '"effective" must be an ISO date'],
    [{ ...row(), unit: 'token-ish' }, '"unit" must be one of'],
    [{ ...row(), input: Number.NaN }, '"input" must be a finite number'],
    [{ ...row(), output: -1 }, '"output" must be a finite number'],
    [{ ...row(), cached_input: Infinity }, '"cached_input" must be a finite number'],
    [{ ...row(), input: '2' }, '"input" must be a finite number'],
    [{ provider: 'a', model: 'b', effective: '2025-01-01', unit: 'token' }, 'needs "input" and/or "output"'],
    [{ provider: 'a', model: 'b', effective: '2025-01-01', unit: 'character' }, 'needs "price"'],
    [{ ...row(), price: 1 }, 'not "price"'],
    ['gpt-4o', 'expected an object'],
  ])('rejects a bad row at creation: %j', (bad, message) => {
    expect(() => createPricingTable([bad as PriceEntry], { file: false })).toThrow(AgentMeterConfigError);
    expect(() => createPricingTable([bad as PriceEntry], { file: false })).toThrow(message);
  });

  it('rejects entries that are not a list', () => {
    expect(() => createPricingTable('nope' as never, { file: false })).toThrow('expected an array of price rows');
  });
});

describe('price files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentmeter-pricing-'));

  it('loads overrides from a JSON file given as an option or AGENTMETER_PRICING_FILE', () => {
    const path = join(dir, 'prices.json');
    writeFileSync(path, JSON.stringify({ version: 'mine', prices: [row({ model: 'from-file', input: 3 })] }));
    expect(loadPriceFile(path)).toEqual([row({ model: 'from-file', input: 3 })]);
    expect(createPricingTable([], { file: path }).cost({ provider: 'acme', model: 'from-file', input: 1 })).toBe(
      3 / 1e6,
    );
    process.env.AGENTMETER_PRICING_FILE = path;
    try {
      expect(createPricingTable([]).lookup('acme', 'from-file')?.input).toBe(3);
      expect(createPricingTable([], { file: false }).lookup('acme', 'from-file')).toBeUndefined();
    } finally {
      delete process.env.AGENTMETER_PRICING_FILE;
    }
  });

  it('fails at creation on a missing, broken or invalid file', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "prices": [ ');
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify([row({ unit: 'tokens' as never })]));
    expect(() => createPricingTable([], { file: join(dir, 'missing.json') })).toThrow('cannot read the price file');
    expect(() => createPricingTable([], { file: broken })).toThrow('is not valid JSON');
    expect(() => createPricingTable([], { file: invalid })).toThrow('row 0 (acme/m1): "unit" must be one of');
  });
});
