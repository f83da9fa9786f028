import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type PricingTable, type TokenUsage } from '@agentmeter/core';
import { instrumentAnthropic, instrumentGoogleGenAI, instrumentOpenAI } from '../src/index.ts';
import { type Harness, type Metrics, startHarness } from './harness.ts';
import { bundledTable, recordedByType, sourceCost, sourceCostByType } from './source-costs.ts';

/*
 * Recorded cost against @pydantic/genai-prices' own calcPrice for the same usage, to 1e-9 USD:
 * real SDK clients, the provider simulator reporting each provider's usage fields, the bundled table.
 */
const TOLERANCE = 1e-9;
const NOW = new Date('2026-11-20T12:00:00Z');
const CACHED: TokenUsage = { input: 1200, cached_input: 5000, cache_write: 3000, output: 800, reasoning: 300 };
const AUDIO: TokenUsage = { input: 500, input_audio: 300, output: 400, output_audio: 250 };
const GEMINI: TokenUsage = { input: 2000, cached_input: 1000, input_audio: 700, output: 500, reasoning: 200 };
/** Total input exactly at a threshold (not above it), and one token over. */
const atTier = (threshold: number): TokenUsage => ({
  input: threshold - 3000,
  cached_input: 2000,
  cache_write: 1000,
  output: 4000,
  reasoning: 1000,
});
const overTier = (threshold: number): TokenUsage => ({ ...atTier(threshold), input: threshold - 2999 });
/** Gemini has no cache writes: the same totals without them. */
const noWrites = (usage: TokenUsage): TokenUsage => ({
  ...usage,
  input: usage.input! + usage.cache_write!,
  cache_write: 0,
});

const MODELS: Record<string, TokenUsage> = {
  'gpt-6-sol': CACHED,
  'gpt-4o-realtime-preview': AUDIO,
  'gpt-6-sol-2026-05-01': atTier(272_000),
  'gpt-6-sol-2026-05-02': overTier(272_000),
  o3: CACHED,
  'claude-sonnet-4-5': CACHED,
  'claude-sonnet-4-5-20250929': atTier(200_000),
  'claude-sonnet-4-5-20251001': overTier(200_000),
  // Its long-context premium ended on 2026-03-13.
  'claude-sonnet-4-6': overTier(200_000),
  'claude-haiku-4-5': CACHED,
  'gemini-2.5-flash': GEMINI,
  'gemini-2.5-pro': noWrites(atTier(200_000)),
  'gemini-2.5-pro-preview-06-05': noWrites(overTier(200_000)),
};

let h: Harness;
let warnings: string[];
let pricing: PricingTable;
beforeAll(async () => {
  h = await startHarness({
    models: Object.fromEntries(Object.entries(MODELS).map(([model, usage]) => [model, { usage }])),
  });
  return () => h.close();
});
afterEach(() => vi.useRealTimers());

function setup(file: string | false = false): void {
  warnings = [];
  pricing = bundledTable(warnings, file);
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
}

const openai = (): OpenAI =>
  instrumentOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: `${h.sim.url}/v1`, maxRetries: 0 }), {
    meter: h.meter,
    pricing,
    clock: h.clock,
    provider: 'openai',
  });
const anthropic = (): Anthropic =>
  instrumentAnthropic(new Anthropic({ apiKey: 'sk-ant-test', baseURL: h.sim.url, maxRetries: 0 }), {
    meter: h.meter,
    pricing,
    clock: h.clock,
  });
const google = (): GoogleGenAI =>
  instrumentGoogleGenAI(new GoogleGenAI({ apiKey: 'AIza-test', httpOptions: { baseUrl: h.sim.url } }), {
    meter: h.meter,
    pricing,
    clock: h.clock,
  });

/** The cost recorded so far for a model, before the next call (the meter is shared by the file's tests). */
async function costSoFar(provider: string, model: string): Promise<Record<string, number>> {
  return recordedByType(await h.collect(), provider, model);
}

function added(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([type, usd]) => [type, usd - (before[type] ?? 0)])
      .filter(([, usd]) => (usd as number) > 0),
  );
}

function expectSameCosts(recorded: Record<string, number>, expected: Record<string, number>): void {
  expect(Object.keys(recorded).toSorted()).toEqual(Object.keys(expected).toSorted());
  for (const [type, usd] of Object.entries(expected))
    expect(Math.abs(recorded[type]! - usd), type).toBeLessThan(TOLERANCE);
}

const sum = (costs: Record<string, number>): number => Object.values(costs).reduce((a, b) => a + b, 0);

/** Runs one call and checks its cost, by token type, against the source's calculation. */
async function expectCallCost(
  provider: string,
  providerId: string,
  model: string,
  call: () => Promise<unknown>,
): Promise<Metrics> {
  const before = await costSoFar(provider, model);
  await call();
  const m = await h.collect();
  expectSameCosts(
    added(recordedByType(m, provider, model), before),
    sourceCostByType(MODELS[model]!, model, providerId, NOW),
  );
  return m;
}

const drain = async (stream: AsyncIterable<unknown>): Promise<void> => {
  for await (const _ of stream) {
    /* drain */
  }
};
const chat = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }] });
const message = (model: string) => ({ model, max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] });

describe('recorded LLM cost equals @pydantic/genai-prices, by token type', () => {
  it('openai chat.completions, JSON and streamed: input, cache read, cache write, reasoning', async () => {
    setup();
    await expectCallCost('openai', 'openai', 'gpt-6-sol', () => openai().chat.completions.create(chat('gpt-6-sol')));
    await expectCallCost('openai', 'openai', 'gpt-6-sol', async () =>
      drain(
        await openai().chat.completions.create({
          ...chat('gpt-6-sol'),
          stream: true,
          stream_options: { include_usage: true },
        }),
      ),
    );
    const m = await h.collect();
    for (const type of ['input', 'cached_input', 'cache_write', 'output', 'reasoning']) {
      expect(m.value('llm.tokens', { provider: 'openai', model: 'gpt-6-sol', token_type: type })).toBe(
        2 * CACHED[type as keyof TokenUsage]!,
      );
    }
  });

  it('openai chat.completions with audio in and out', async () => {
    setup();
    const m = await expectCallCost('openai', 'openai', 'gpt-4o-realtime-preview', () =>
      openai().chat.completions.create(chat('gpt-4o-realtime-preview')),
    );
    expect(
      m.value('llm.tokens', { provider: 'openai', model: 'gpt-4o-realtime-preview', token_type: 'input_audio' }),
    ).toBe(300);
    expect(
      m.value('llm.tokens', { provider: 'openai', model: 'gpt-4o-realtime-preview', token_type: 'output_audio' }),
    ).toBe(250);
  });

  it('openai responses.create', async () => {
    setup();
    await expectCallCost('openai', 'openai', 'gpt-6-sol', () =>
      openai().responses.create({ model: 'gpt-6-sol', input: 'hi' }),
    );
  });

  it('anthropic messages.create, streamed and messages.stream(): cache creation, cache read, thinking', async () => {
    setup();
    await expectCallCost('anthropic', 'anthropic', 'claude-sonnet-4-5', () =>
      anthropic().messages.create(message('claude-sonnet-4-5')),
    );
    await expectCallCost('anthropic', 'anthropic', 'claude-sonnet-4-5', async () =>
      drain(await anthropic().messages.create({ ...message('claude-sonnet-4-5'), stream: true })),
    );
    await expectCallCost('anthropic', 'anthropic', 'claude-sonnet-4-5', () =>
      anthropic().messages.stream(message('claude-sonnet-4-5')).finalMessage(),
    );
    const m = await h.collect();
    expect(
      m.value('llm.tokens', { provider: 'anthropic', model: 'claude-sonnet-4-5', token_type: 'cache_write' }),
    ).toBe(3 * 3000);
    expect(m.value('llm.tokens', { provider: 'anthropic', model: 'claude-sonnet-4-5', token_type: 'reasoning' })).toBe(
      3 * 300,
    );
  });

  it('google generateContent, JSON and streamed: cache read, audio input, thoughts', async () => {
    setup();
    await expectCallCost('google', 'google', 'gemini-2.5-flash', () =>
      google().models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }),
    );
    await expectCallCost('google', 'google', 'gemini-2.5-flash', async () =>
      drain(await google().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' })),
    );
    const m = await h.collect();
    expect(m.value('llm.tokens', { provider: 'google', model: 'gemini-2.5-flash', token_type: 'reasoning' })).toBe(
      2 * 200,
    );
    expect(m.value('llm.tokens', { provider: 'google', model: 'gemini-2.5-flash', token_type: 'input_audio' })).toBe(
      2 * 700,
    );
  });
});

/** The total cost recorded so far for a model, after one more call. */
async function totalOf(provider: string, model: string, call: () => Promise<unknown>): Promise<number> {
  await call();
  return sum(recordedByType(await h.collect(), provider, model));
}

describe('tiers, dates, overrides and the missing-price warning', () => {
  it.each([
    [
      'openai',
      'gpt-6-sol-2026-05-01',
      'gpt-6-sol-2026-05-02',
      (model: string) => openai().chat.completions.create(chat(model)),
    ],
    [
      'anthropic',
      'claude-sonnet-4-5-20250929',
      'claude-sonnet-4-5-20251001',
      (model: string) => anthropic().messages.create(message(model)),
    ],
    [
      'google',
      'gemini-2.5-pro',
      'gemini-2.5-pro-preview-06-05',
      (model: string) => google().models.generateContent({ model, contents: 'hi' }),
    ],
  ])('%s: a long-context tier applies once total input passes its threshold', async (provider, at, over, call) => {
    setup();
    const atCost = await totalOf(provider, at, () => call(at));
    const overCost = await totalOf(provider, over, () => call(over));
    expect(Math.abs(atCost - sourceCost(MODELS[at]!, at, provider, NOW))).toBeLessThan(TOLERANCE);
    expect(Math.abs(overCost - sourceCost(MODELS[over]!, over, provider, NOW))).toBeLessThan(TOLERANCE);
    // One more input token, and every token is billed at the higher rate.
    expect(overCost).toBeGreaterThan(atCost * 1.3);
  });

  it.each([
    [
      'openai',
      'o3',
      '2025-06-10T00:00:00Z',
      (): (() => Promise<unknown>) => {
        const client = openai();
        return () => client.chat.completions.create(chat('o3'));
      },
    ],
    [
      'anthropic',
      'claude-sonnet-4-6',
      '2026-03-13T00:00:00Z',
      (): (() => Promise<unknown>) => {
        const client = anthropic();
        return () => client.messages.create(message('claude-sonnet-4-6'));
      },
    ],
  ])(
    '%s %s: the price in effect on the call date, changing at its start date',
    async (provider, model, boundary, clientCall) => {
      setup();
      const call = clientCall();
      const start = new Date(boundary);
      const before = new Date(start.getTime() - 1);
      vi.setSystemTime(before);
      const first = await totalOf(provider, model, call);
      // The same client and series: the cached price row ends at the boundary.
      vi.setSystemTime(start);
      const both = await totalOf(provider, model, call);
      const expectedBefore = sourceCost(MODELS[model]!, model, provider, before);
      const expectedAfter = sourceCost(MODELS[model]!, model, provider, start);
      expect(expectedBefore).not.toBeCloseTo(expectedAfter, 6);
      expect(Math.abs(first - expectedBefore)).toBeLessThan(TOLERANCE);
      expect(Math.abs(both - first - expectedAfter)).toBeLessThan(TOLERANCE);
    },
  );

  it("a price file row replaces one model's price; the others keep the source's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentmeter-i18-'));
    const file = join(dir, 'prices.json');
    const row = {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      effective: '2020-01-01',
      unit: 'token',
      input: 1,
      cached_input: 0.1,
      cache_write: 1.25,
      output: 5,
    };
    writeFileSync(file, JSON.stringify({ prices: [row] }));
    setup(file);
    const before = await costSoFar('anthropic', 'claude-sonnet-4-5');
    await anthropic().messages.create(message('claude-sonnet-4-5'));
    const recorded = added(await costSoFar('anthropic', 'claude-sonnet-4-5'), before);
    // The row's own rates; reasoning is output, billed at the output rate.
    expectSameCosts(recorded, {
      input: 1200e-6,
      cached_input: 500e-6,
      cache_write: 3750e-6,
      output: 500 * 5e-6,
      reasoning: 300 * 5e-6,
    });
    await expectCallCost('anthropic', 'anthropic', 'claude-haiku-4-5', () =>
      anthropic().messages.create(message('claude-haiku-4-5')),
    );
  });

  it("a model with no price records tokens, no cost, and warns once; the gauge shows the data's version and date", async () => {
    setup();
    const client = openai();
    await client.chat.completions.create(chat('gpt-unpriced-zz'));
    await client.chat.completions.create(chat('gpt-unpriced-zz'));
    const m = await h.collect();
    expect(recordedByType(m, 'openai', 'gpt-unpriced-zz')).toEqual({});
    expect(m.value('llm.tokens', { provider: 'openai', model: 'gpt-unpriced-zz', token_type: 'input' })).toBe(20);
    expect(warnings).toEqual([expect.stringContaining('no price for provider "openai" model "gpt-unpriced-zz"')]);
    expect(m.value('pricing.source.published', { source: '@pydantic/genai-prices', version: '0.1.8' })).toBe(
      Date.parse('2026-09-23') / 1000,
    );
  });
});

describe('Vertex AI', () => {
  it("a vertexai client is labelled google_vertex and priced from the source's Google table", async () => {
    setup();
    const ai = new GoogleGenAI({ vertexai: true, apiKey: 'AIza-test', httpOptions: { baseUrl: h.sim.url } });
    const client = instrumentGoogleGenAI(ai, { meter: h.meter, pricing, clock: h.clock });
    await expectCallCost('google_vertex', 'google', 'gemini-2.5-flash', () =>
      client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }),
    );
  });
});
