import { COST_TYPES, createPricingTable, type PricingTable, type TokenUsage } from '@agentmeter/core';
import { calcPrice } from '@pydantic/genai-prices';
import { sourceUsage } from '../../../scripts/llm-price-data.ts';
import type { Metrics } from './harness.ts';

/** The bundled table (no rows but the speech ones, no price file), warnings kept for the test. */
export function bundledTable(warnings: string[], file: string | false = false): PricingTable {
  return createPricingTable(undefined, { file, onWarning: (message) => warnings.push(message) });
}

/** What @pydantic/genai-prices' own calcPrice charges for this usage, or throws when it has no price. */
export function sourceCost(usage: TokenUsage, model: string, providerId: string, at: Date): number {
  const result = calcPrice(sourceUsage(usage), model, { providerId, timestamp: at });
  if (result === null) throw new Error(`@pydantic/genai-prices has no price for ${providerId}/${model}`);
  return result.total_price;
}

/** The usage without one token type's own tokens (a part's whole shrinks with it). */
function without(usage: TokenUsage, type: string): TokenUsage {
  const u = { ...usage };
  const take = (field: keyof TokenUsage, whole?: keyof TokenUsage): void => {
    if (whole !== undefined) u[whole] = (u[whole] ?? 0) - (u[field] ?? 0);
    u[field] = 0;
  };
  if (type === 'input') u.input = u.input_audio ?? 0;
  else if (type === 'output') u.output = (u.reasoning ?? 0) + (u.output_audio ?? 0);
  else if (type === 'input_audio') take('input_audio', 'input');
  else if (type === 'reasoning') take('reasoning', 'output');
  else if (type === 'output_audio') take('output_audio', 'output');
  else take(type as keyof TokenUsage);
  return u;
}

/**
 * Each token type's cost as the source computes it: the whole call's price less the price of the
 * same call without that type's tokens (below a tier threshold, where the difference is exact).
 */
export function sourceCostByType(
  usage: TokenUsage,
  model: string,
  providerId: string,
  at: Date,
): Record<string, number> {
  const whole = sourceCost(usage, model, providerId, at);
  const out: Record<string, number> = {};
  for (const type of COST_TYPES) {
    if (type === 'request') continue;
    const cost = whole - sourceCost(without(usage, type), model, providerId, at);
    if (cost > 0) out[type] = cost;
  }
  return out;
}

/** The recorded cost of one provider/model, by token type (types with no series left out). */
export function recordedByType(m: Metrics, provider: string, model: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const point of m.raw.points('agentmeter.api.cost.usd')) {
    const a = point.attributes;
    if (a.provider === provider && a.model === model && a.service === 'llm')
      out[String(a.token_type)] = point.value as number;
  }
  return out;
}
