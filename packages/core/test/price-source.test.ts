import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { installedVersion, SOURCE_NAME, sourceProviders, sourceUsage } from '../../../scripts/llm-price-data.ts';
import { COST_TYPES, tokenCosts, type UsageAmounts } from '../src/pricing/price.ts';
import { LLM_PRICE_SOURCE } from '../src/pricing/source/data.ts';
import { SOURCE_PROVIDER_IDS } from '../src/pricing/source/providers.ts';
import type { SourceConstraint, SourceModel, SourceRate } from '../src/pricing/source/types.ts';
import { createPricingTable } from '../src/pricing/table.ts';

const TOLERANCE = 1e-9;
const AT = Date.parse('2026-11-20T12:00:00Z');

function rates(model: SourceModel): SourceRate[] {
  const sets = Array.isArray(model.prices) ? model.prices.map((set: { prices: object }) => set.prices) : [model.prices];
  return sets.flatMap((prices: object) => Object.values(prices) as SourceRate[]);
}

/** Usages that exercise every token type, and each tier threshold of the model from just below to just above. */
function usages(model: SourceModel): UsageAmounts[] {
  const thresholds = rates(model).flatMap((rate) =>
    typeof rate === 'number' ? [] : rate.tiers.map((tier) => tier.start),
  );
  const base: UsageAmounts[] = [
    { input: 1200, output: 300 },
    { input: 1000, cached_input: 4000, cache_write: 2500, output: 900, reasoning: 600 },
    { input: 800, input_audio: 500, output: 700, output_audio: 400 },
  ];
  const tiered = thresholds.flatMap((start) => [
    { input: start - 3000, cached_input: 2000, cache_write: 1000, output: 5000, reasoning: 1000 },
    { input: start - 2999, cached_input: 2000, cache_write: 1000, output: 5000, reasoning: 1000 },
  ]);
  return [...base, ...tiered];
}

/** The call dates to check: now-ish, and a millisecond either side of every date and time-of-day boundary. */
function dates(model: SourceModel): number[] {
  if (!Array.isArray(model.prices)) return [AT];
  const boundaries = model.prices.flatMap(({ constraint }: { constraint?: SourceConstraint }) => {
    if (constraint === undefined) return [];
    if (constraint.type === 'start_date') return [Date.parse(constraint.start_date)];
    return [constraint.start_time, constraint.end_time].map((time) => Date.parse(`2026-11-20T${time}`));
  });
  return [AT, ...boundaries.flatMap((t) => [t - 1, t])];
}

const labels = Object.entries(SOURCE_PROVIDER_IDS);

describe('LLM prices from @pydantic/genai-prices', () => {
  it("are the installed package's data, regenerated unchanged (pnpm prices:generate)", () => {
    expect(LLM_PRICE_SOURCE.name).toBe(SOURCE_NAME);
    expect(LLM_PRICE_SOURCE.version).toBe(installedVersion());
    expect(LLM_PRICE_SOURCE.providers).toEqual(sourceProviders());
  });

  it("cost every bundled model exactly as the source's calcPrice does, every token type, tier and date", () => {
    const table = createPricingTable([], { file: false });
    const out = new Float64Array(COST_TYPES.length);
    let compared = 0;
    for (const [label, providerId] of labels) {
      const provider = LLM_PRICE_SOURCE.providers.find((p) => p.id === providerId)!;
      for (const model of provider.models) {
        for (const at of dates(model)) {
          for (const usage of usages(model)) {
            const expected = calcPrice(sourceUsage(usage), model.id, { providerId, timestamp: new Date(at) });
            const entry = table.lookup(label, model.id, at);
            const where = `${label}/${model.id} at ${new Date(at).toISOString()} ${JSON.stringify(usage)}`;
            if (expected === null || entry === undefined) {
              // Both sides agree a model has no token price (e.g. one billed by audio hours only).
              expect(
                entry === undefined ? 0 : (table.cost({ provider: label, model: model.id, at, ...usage }) ?? 0),
                where,
              ).toBe(expected?.total_price ?? 0);
              continue;
            }
            expect(
              Math.abs(table.cost({ provider: label, model: model.id, at, ...usage })! - expected.total_price),
              where,
            ).toBeLessThan(TOLERANCE);
            tokenCosts(entry, usage, out);
            const inputSide = out[0]! + out[1]! + out[2]! + out[3]!;
            const outputSide = out[4]! + out[5]! + out[6]!;
            expect(Math.abs(inputSide - expected.input_price), `${where} input`).toBeLessThan(TOLERANCE);
            expect(Math.abs(outputSide - expected.output_price), `${where} output`).toBeLessThan(TOLERANCE);
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
