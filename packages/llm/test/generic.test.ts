import { AgentMeterConfigError } from '@agentmeter/core';
import { createTestReader } from '@agentmeter/core/testing';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GEN_AI_DURATION_BUCKETS, instrumentLlmFunction, instrumentOpenAI } from '../src/index.ts';
import { expectedCost, type Harness, startHarness, TEST_PRICES } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const COHERE = { provider: 'cohere', model: 'command-test' };
const OP = { ...COHERE, operation: 'chat' };

interface Reply {
  text: string;
  meta: { input: number; output: number };
}

const call = async (prompt: string): Promise<Reply> => ({ text: prompt.toUpperCase(), meta: { input: 11, output: 3 } });

async function* chunks(): AsyncGenerator<{ text?: string; input?: number; output?: number }> {
  yield {};
  yield { text: 'Hi' };
  yield { text: ' there', input: 6, output: 2 };
}

describe('instrumentLlmFunction', () => {
  it('records a custom async call with its usage and cost, and returns its result untouched', async () => {
    const pricing = h.pricing;
    const wrapped = instrumentLlmFunction(call, {
      meter: h.meter,
      pricing,
      clock: h.clock,
      genAiMetrics: false,
      provider: 'groq',
      model: (prompt) => (prompt === 'x' ? 'llama-test' : 'other'),
      usage: (reply) => ({ input: reply.meta.input, output: reply.meta.output }),
    });
    expect(await wrapped('x')).toEqual({ text: 'X', meta: { input: 11, output: 3 } });
    const m = await h.collect();
    const llama = { provider: 'groq', model: 'llama-test' };
    expect(m.value('llm.requests', { ...llama, operation: 'chat', status: 'success' })).toBe(1);
    expect(m.histogram('llm.latency', { ...llama, operation: 'chat' })).toMatchObject({ count: 1, sum: 0.1 });
    expect(m.total('api.cost.usd', { ...llama, service: 'llm' })).toBeCloseTo(
      expectedCost(TEST_PRICES[1]!, 11, 0, 3),
      15,
    );
  });

  it('records a stream: first content chunk, last usage, success at the natural end', async () => {
    const wrapped = instrumentLlmFunction(chunks, {
      meter: h.meter,
      pricing: false,
      clock: h.clock,
      genAiMetrics: false,
      ...COHERE,
      chunk: (c) => {
        const item = c as { text?: string; input?: number; output?: number };
        return {
          content: item.text !== undefined,
          usage: item.input === undefined ? undefined : { input: item.input, output: item.output },
        };
      },
    });
    let text = '';
    for await (const item of wrapped()) text += item.text ?? '';
    expect(text).toBe('Hi there');
    const m = await h.collect();
    expect(m.histogram('llm.time_to_first_token', COHERE)).toMatchObject({ count: 1, sum: 0.1 });
    expect(m.histogram('llm.latency', OP)).toMatchObject({ count: 1, sum: 0.2 });
    expect(m.value('llm.tokens', { ...COHERE, token_type: 'input' })).toBe(6);
    expect(m.value('llm.requests', { ...OP, status: 'success' })).toBe(1);
    for await (const _ of wrapped()) break;
    expect((await h.collect()).value('llm.errors', { ...COHERE, error_type: 'cancelled' })).toBe(1);
  });

  it('classifies thrown errors, sync and async, and rethrows them untouched', async () => {
    const limited = Object.assign(new Error('slow down'), { status: 429 });
    const sync = instrumentLlmFunction(
      (): never => {
        throw limited;
      },
      { meter: h.meter, ...COHERE },
    );
    expect(() => sync()).toThrow(limited);
    const failing = instrumentLlmFunction(
      async (): Promise<never> => {
        throw Object.assign(new Error('down'), { status: 503 });
      },
      { meter: h.meter, ...COHERE },
    );
    await expect(failing()).rejects.toThrow('down');
    const m = await h.collect();
    expect(m.value('llm.errors', { ...COHERE, error_type: 'rate_limit' })).toBe(1);
    expect(m.value('llm.errors', { ...COHERE, error_type: 'server_error' })).toBe(1);
  });

  it('drops hostile usage values and survives readers that throw', async () => {
    const wrapped = instrumentLlmFunction(() => 'ok', {
      meter: h.meter,
      ...COHERE,
      pricing: h.pricing,
      usage: () => ({ input: Number.NaN, output: -5, cached_input: Infinity, reasoning: '7' as never }),
    });
    expect(wrapped()).toBe('ok');
    const throwing = instrumentLlmFunction(() => 'still ok', {
      meter: h.meter,
      ...COHERE,
      usage: () => {
        throw new Error('bad reader');
      },
    });
    expect(throwing()).toBe('still ok');
    const m = await h.collect();
    expect(m.value('llm.requests', { ...OP, status: 'success' })).toBe(2);
    expect(m.raw.points('agentmeter.llm.tokens')).toHaveLength(0);
  });

  it('a frozen stream result is returned untouched and recorded as a plain call', async () => {
    const frozen = Object.freeze({
      async *[Symbol.asyncIterator]() {
        yield 'a';
      },
    });
    const wrapped = instrumentLlmFunction(() => frozen, {
      meter: h.meter,
      ...COHERE,
      chunk: () => ({ content: true }),
    });
    expect(wrapped()).toBe(frozen);
    const items: string[] = [];
    for await (const item of wrapped()) items.push(item);
    expect(items).toEqual(['a']);
    expect((await h.collect()).value('llm.requests', { ...OP, status: 'success' })).toBe(2);
  });

  it.each([
    [() => instrumentLlmFunction('fn' as never, { meter: h.meter, ...COHERE }), /expected the function/],
    [() => instrumentLlmFunction(() => 1, { meter: h.meter, model: 'm' } as never), /options.provider is required/],
    [
      () => instrumentLlmFunction(() => 1, { meter: h.meter, provider: 'cohere', model: 5 } as never),
      /options.model must be/,
    ],
    [
      () => instrumentLlmFunction(() => 1, { meter: h.meter, ...COHERE, usage: 'input' } as never),
      /options.usage must be a function/,
    ],
    [
      () => instrumentLlmFunction(() => 1, { meter: h.meter, ...COHERE, chunk: {} } as never),
      /options.chunk must be a function/,
    ],
    [() => instrumentLlmFunction(() => 1, { ...COHERE } as never), /options.meter must be an AgentMeter/],
  ])('bad input fails at creation (%#)', (create, message) => {
    expect(create).toThrow(AgentMeterConfigError);
    expect(create).toThrow(message);
  });
});

describe('OTel GenAI semantic-convention metrics', () => {
  it('records gen_ai.client.operation.duration and gen_ai.client.token.usage with the advised buckets', async () => {
    const otel = createTestReader();
    const client = instrumentOpenAI(new OpenAI({ apiKey: 'x', baseURL: `${h.sim.url}/v1`, maxRetries: 0 }), {
      meter: h.meter,
      pricing: false,
      clock: h.clock,
      provider: 'openai',
      genAiMetrics: { meterProvider: otel.provider },
    });
    await client.chat.completions.create({ model: 'gpt-test', messages: [] });
    await expect(
      client.chat.completions.create({ model: 'gpt-test', messages: [] }, { headers: { 'x-sim-fault': '429' } }),
    ).rejects.toThrow();
    const m = await otel.collect();
    const base = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-test',
    };
    const ok = m.histogram('gen_ai.client.operation.duration', { ...base, 'gen_ai.response.model': 'gpt-test' });
    expect(ok).toMatchObject({ count: 1, sum: 0.1 });
    expect(ok?.buckets.boundaries).toEqual(GEN_AI_DURATION_BUCKETS);
    expect(m.histogram('gen_ai.client.operation.duration', { ...base, 'error.type': 'rate_limit' })?.count).toBe(1);
    expect(
      m.histogram('gen_ai.client.token.usage', {
        ...base,
        'gen_ai.response.model': 'gpt-test',
        'gen_ai.token.type': 'input',
      })?.sum,
    ).toBe(10);
    expect(
      m.histogram('gen_ai.client.token.usage', {
        ...base,
        'gen_ai.response.model': 'gpt-test',
        'gen_ai.token.type': 'output',
      })?.sum,
    ).toBe(5);
    await otel.shutdown();
  });
});
