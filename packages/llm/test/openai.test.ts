import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentOpenAI } from '../src/index.ts';
import { expectedCost, type Harness, instrumentedOpenAI, startHarness, TEST_PRICES } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({
    models: {
      'gpt-test': { reply: 'Hello there, friend', usage: { input: 80, cached_input: 20, output: 9, reasoning: 4 } },
    },
  });
});
afterEach(() => h.close());

function client(options: ConstructorParameters<typeof OpenAI>[0] = {}): OpenAI {
  return instrumentedOpenAI(h, options);
}

const GPT = { provider: 'openai', model: 'gpt-test' };
const CHAT = { ...GPT, operation: 'chat' };
const ask = { model: 'gpt-test', messages: [{ role: 'user' as const, content: 'secret prompt' }] };
const gptPrice = TEST_PRICES[0]!;

describe('instrumentOpenAI: chat.completions.create', () => {
  it('records a JSON call: request, latency, tokens by type and cost; the APIPromise keeps .withResponse()', async () => {
    const openai = client();
    const { data, response, request_id } = await openai.chat.completions.create(ask).withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello there, friend');
    expect(response.status).toBe(200);
    expect(request_id).toBeNull();
    const m = await h.collect();
    expect(m.value('llm.requests', { ...CHAT, status: 'success' })).toBe(1);
    expect(m.histogram('llm.latency', CHAT)).toMatchObject({ count: 1, sum: 0.1 });
    expect(m.value('llm.tokens', { ...GPT, token_type: 'input' })).toBe(80);
    expect(m.value('llm.tokens', { ...GPT, token_type: 'cached_input' })).toBe(20);
    expect(m.value('llm.tokens', { ...GPT, token_type: 'output' })).toBe(9);
    expect(m.value('llm.tokens', { ...GPT, token_type: 'reasoning' })).toBe(4);
    expect(m.total('api.cost.usd', { ...GPT, service: 'llm' })).toBeCloseTo(expectedCost(gptPrice, 80, 20, 9), 15);
    expect(m.histogram('llm.time_to_first_token', GPT)).toBeUndefined();
    expect(m.raw.points('agentmeter.llm.errors')).toHaveLength(0);
  });

  it('leaves .asResponse() unparsed: the caller reads the body itself', async () => {
    const openai = client();
    const raw = await openai.chat.completions.create(ask).asResponse();
    expect(((await raw.json()) as { model: string }).model).toBe('gpt-test');
  });

  it('records a stream with the usage chunk: time to first token, latency to the end, tokens and cost', async () => {
    const openai = client();
    const stream = await openai.chat.completions.create({
      ...ask,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(stream.controller).toBeInstanceOf(AbortController);
    let text = '';
    let usageChunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usageChunks += 1;
    }
    expect(text).toBe('Hello there, friend');
    expect(usageChunks).toBe(1);
    const m = await h.collect();
    // Clock reads: start (100), first content chunk (200), end (300).
    expect(m.histogram('llm.time_to_first_token', GPT)).toMatchObject({ count: 1, sum: 0.1 });
    expect(m.histogram('llm.latency', CHAT)).toMatchObject({ count: 1, sum: 0.2 });
    expect(m.value('llm.requests', { ...CHAT, status: 'success' })).toBe(1);
    expect(m.value('llm.tokens', { ...GPT, token_type: 'input' })).toBe(80);
    expect(m.value('llm.tokens', { ...GPT, token_type: 'output' })).toBe(9);
    expect(m.total('api.cost.usd', { ...GPT, service: 'llm' })).toBeCloseTo(expectedCost(gptPrice, 80, 20, 9), 15);
  });

  it('records no tokens for a stream without usage (nothing estimated)', async () => {
    const openai = client();
    const stream = await openai.chat.completions.create({ ...ask, stream: true });
    for await (const _ of stream) {
      /* drain */
    }
    const m = await h.collect();
    expect(m.value('llm.requests', { ...CHAT, status: 'success' })).toBe(1);
    expect(m.raw.points('agentmeter.llm.tokens')).toHaveLength(0);
    expect(m.raw.points('agentmeter.api.cost.usd')).toHaveLength(0);
  });

  it('observes tee() and toReadableStream() consumers once', async () => {
    const openai = client();
    const [left, right] = (
      await openai.chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } })
    ).tee();
    let chunks = 0;
    for await (const _ of left) chunks += 1;
    for await (const _ of right) chunks += 1;
    expect(chunks).toBe(12);
    const readable = (await openai.chat.completions.create({ ...ask, stream: true })).toReadableStream();
    const reader = readable.getReader();
    while (!(await reader.read()).done) {
      /* drain */
    }
    const m = await h.collect();
    expect(m.value('llm.requests', { ...CHAT, status: 'success' })).toBe(2);
    expect(m.histogram('llm.time_to_first_token', GPT)?.count).toBe(2);
    expect(m.value('llm.tokens', { ...GPT, token_type: 'input' })).toBe(80);
  });

  it('counts chat.completions.stream() and parse(), which run through create()', async () => {
    const openai = client();
    const runner = openai.chat.completions.stream({ ...ask, stream_options: { include_usage: true } });
    expect((await runner.finalChatCompletion()).choices[0]?.message.content).toBe('Hello there, friend');
    expect((await openai.chat.completions.parse(ask)).choices[0]?.message.content).toBe('Hello there, friend');
    const m = await h.collect();
    expect(m.value('llm.requests', { ...CHAT, status: 'success' })).toBe(2);
    expect(m.value('llm.tokens', { ...GPT, token_type: 'input' })).toBe(160);
  });
});

describe('instrumentOpenAI: responses.create and embeddings.create', () => {
  it('records a Responses API call, JSON and streamed (response.completed usage)', async () => {
    const openai = client();
    const response = await openai.responses.create({ model: 'gpt-test', input: 'hi' });
    expect(response.output_text).toBe('Hello there, friend');
    const stream = await openai.responses.create({ model: 'gpt-test', input: 'hi', stream: true });
    const types = new Set<string>();
    for await (const event of stream) types.add(event.type);
    expect(types.has('response.completed')).toBe(true);
    const m = await h.collect();
    const op = { ...GPT, operation: 'responses' };
    expect(m.value('llm.requests', { ...op, status: 'success' })).toBe(2);
    expect(m.histogram('llm.latency', op)).toMatchObject({ count: 2, sum: 0.1 + 0.2 });
    expect(m.histogram('llm.time_to_first_token', GPT)).toMatchObject({ count: 1, sum: 0.1 });
    expect(m.value('llm.tokens', { ...GPT, token_type: 'input' })).toBe(160);
    expect(m.value('llm.tokens', { ...GPT, token_type: 'reasoning' })).toBe(8);
  });

  it('counts responses.stream() and responses.parse(), which run through responses.create()', async () => {
    const openai = client();
    expect((await openai.responses.stream({ model: 'gpt-test', input: 'hi' }).finalResponse()).output_text).toBe(
      'Hello there, friend',
    );
    expect((await openai.responses.parse({ model: 'gpt-test', input: 'hi' })).output_text).toBe('Hello there, friend');
    const m = await h.collect();
    expect(m.value('llm.requests', { ...GPT, operation: 'responses', status: 'success' })).toBe(2);
    expect(m.histogram('llm.time_to_first_token', GPT)?.count).toBe(1);
    expect(m.value('llm.tokens', { ...GPT, token_type: 'output' })).toBe(18);
  });

  it('records embeddings (the SDK decodes base64 behind its own _thenUnwrap)', async () => {
    const openai = client();
    const result = await openai.embeddings.create({ model: 'embed-test', input: ['a', 'b'] });
    expect(result.data).toHaveLength(2);
    expect(Array.from(result.data[0]!.embedding)).toEqual([0.25, -0.5, 0.75, 1]);
    const m = await h.collect();
    const embed = { provider: 'openai', model: 'embed-test' };
    expect(m.value('llm.requests', { ...embed, operation: 'embeddings', status: 'success' })).toBe(1);
    expect(m.value('llm.tokens', { ...embed, token_type: 'input' })).toBe(10);
    expect(m.total('api.cost.usd', { ...embed, service: 'llm' })).toBeCloseTo(
      expectedCost(TEST_PRICES[2]!, 10, 0, 0),
      15,
    );
  });
});

describe('instrumentOpenAI: providers through baseURL', () => {
  it('labels an OpenAI-compatible endpoint with the provider option and prices it', async () => {
    const groq = instrumentOpenAI(
      new OpenAI({ apiKey: 'gsk-test', baseURL: `${h.sim.url}/openai/v1`, maxRetries: 0 }),
      {
        meter: h.meter,
        pricing: h.pricing,
        clock: h.clock,
        genAiMetrics: false,
        provider: 'groq',
      },
    );
    await groq.chat.completions.create({ model: 'llama-test', messages: [{ role: 'user', content: 'x' }] });
    const m = await h.collect();
    const llama = { provider: 'groq', model: 'llama-test' };
    expect(m.value('llm.requests', { ...llama, operation: 'chat', status: 'success' })).toBe(1);
    expect(m.total('api.cost.usd', { ...llama, service: 'llm' })).toBeCloseTo(
      expectedCost(TEST_PRICES[1]!, 10, 0, 5),
      15,
    );
  });

  it('labels a loopback baseURL as local by default, and an unknown model gets no cost and one warning', async () => {
    const local = instrumentOpenAI(new OpenAI({ apiKey: 'x', baseURL: `${h.sim.url}/v1`, maxRetries: 0 }), {
      meter: h.meter,
      pricing: h.pricing,
      clock: h.clock,
      genAiMetrics: false,
    });
    await local.chat.completions.create({ model: 'llama3.2', messages: [] });
    await local.chat.completions.create({ model: 'llama3.2', messages: [] });
    const m = await h.collect();
    expect(
      m.value('llm.requests', { provider: 'local', model: 'llama3.2', operation: 'chat', status: 'success' }),
    ).toBe(2);
    expect(m.value('llm.tokens', { provider: 'local', model: 'llama3.2', token_type: 'input' })).toBe(20);
    expect(m.raw.points('agentmeter.api.cost.usd')).toHaveLength(0);
    expect(h.warnings).toHaveLength(1);
  });
});
