import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { AgentMeterConfigError } from '@agentmeter/core';
import {
  embed,
  embedMany,
  generateObject,
  generateText,
  jsonSchema,
  stepCountIs,
  streamObject,
  streamText,
  tool,
} from 'ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  agentmeterMiddleware,
  instrumentAiTools,
  instrumentEmbeddingModel,
  instrumentLanguageModel,
} from '../src/ai-sdk/index.ts';
import { expectedCost, type Harness, startHarness, STEP_MS, TEST_PRICES } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({
    models: { 'json-test': { reply: '{"name":"Ada"}' } },
    usage: { input: 12, cached_input: 4, output: 6, reasoning: 2 },
  });
});
afterEach(async () => h.close());

const openaiProvider = () => createOpenAI({ apiKey: 'sk-test-secret', baseURL: `${h.sim.url}/v1` });
const anthropicProvider = () => createAnthropic({ apiKey: 'sk-ant-test', baseURL: `${h.sim.url}/v1` });
const options = () => ({ meter: h.meter, pricing: h.pricing, clock: h.clock, genAiMetrics: false });
const fault = (spec: string) => ({ 'x-sim-fault': spec });
const openaiRow = TEST_PRICES.find((row) => row.model === 'gpt-test')!;
const anthropicRow = TEST_PRICES.find((row) => row.model === 'claude-test')!;

const weather = tool({
  description: 'The weather in a city',
  inputSchema: jsonSchema<{ city: string }>({
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});

describe('AI SDK middleware, real ai package and providers against the simulator', () => {
  it("generateText with @ai-sdk/openai: the request, latency, tokens by type, cost and the step; the result is the model's", async () => {
    const model = instrumentLanguageModel(openaiProvider()('gpt-test'), options());
    const result = await generateText({ model, prompt: 'Say hello' });
    expect(result.text).toBe('Hello from the provider simulator.');
    const m = await h.collect();
    const labels = { provider: 'openai', model: 'gpt-test' };
    expect(m.value('llm.requests', { ...labels, operation: 'responses', status: 'success' })).toBe(1);
    expect(m.histogram('llm.latency', { ...labels, operation: 'responses' })).toMatchObject({
      count: 1,
      sum: STEP_MS / 1000,
    });
    expect(m.value('llm.tokens', { ...labels, token_type: 'input' })).toBe(12);
    expect(m.value('llm.tokens', { ...labels, token_type: 'cached_input' })).toBe(4);
    expect(m.value('llm.tokens', { ...labels, token_type: 'output' })).toBe(6);
    expect(m.value('llm.tokens', { ...labels, token_type: 'reasoning' })).toBe(2);
    expect(m.total('api.cost.usd', { ...labels, service: 'llm' })).toBeCloseTo(expectedCost(openaiRow, 12, 4, 6), 12);
    expect(m.value('llm.steps', { ...labels, finish_reason: 'stop' })).toBe(1);
    expect(m.histogram('llm.time_to_first_token', labels)).toBeUndefined();
  });

  it('streamText with @ai-sdk/anthropic: time to first token, tokens, cost; the stream yields the same text', async () => {
    const model = instrumentLanguageModel(anthropicProvider()('claude-test'), options());
    const result = streamText({ model, prompt: 'Say hello' });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('Hello from the provider simulator.');
    const m = await h.collect();
    const labels = { provider: 'anthropic', model: 'claude-test' };
    expect(m.value('llm.requests', { ...labels, operation: 'messages', status: 'success' })).toBe(1);
    // Clock reads: start, first token, end.
    expect(m.histogram('llm.time_to_first_token', labels)).toMatchObject({ count: 1, sum: STEP_MS / 1000 });
    expect(m.histogram('llm.latency', { ...labels, operation: 'messages' })).toMatchObject({
      count: 1,
      sum: (2 * STEP_MS) / 1000,
    });
    expect(m.value('llm.tokens', { ...labels, token_type: 'input' })).toBe(12);
    expect(m.value('llm.tokens', { ...labels, token_type: 'cached_input' })).toBe(4);
    expect(m.value('llm.tokens', { ...labels, token_type: 'output' })).toBe(6);
    expect(m.total('api.cost.usd', { ...labels, service: 'llm' })).toBeCloseTo(
      expectedCost(anthropicRow, 12, 4, 6),
      12,
    );
    expect(m.value('llm.steps', { ...labels, finish_reason: 'stop' })).toBe(1);
  });

  it('a tool loop: each step is a call, the tool call is counted by name, the tool run is timed', async () => {
    for (const provider of [openaiProvider()('gpt-test'), anthropicProvider()('claude-test')]) {
      const result = await generateText({
        model: instrumentLanguageModel(provider, options()),
        tools: instrumentAiTools({ weather }, { meter: h.meter, clock: h.clock }),
        stopWhen: stepCountIs(3),
        prompt: 'Weather in Paris?',
      });
      expect(result.steps).toHaveLength(2);
      expect(result.steps[0]?.toolResults[0]?.output).toEqual({ city: 'sim', celsius: 21 });
    }
    const m = await h.collect();
    for (const labels of [
      { provider: 'openai', model: 'gpt-test' },
      { provider: 'anthropic', model: 'claude-test' },
    ]) {
      expect(m.value('llm.tool_calls', { ...labels, tool: 'weather' })).toBe(1);
      expect(m.value('llm.steps', { ...labels, finish_reason: 'tool_calls' })).toBe(1);
      expect(m.value('llm.steps', { ...labels, finish_reason: 'stop' })).toBe(1);
    }
    expect(m.value('tool.runs', { tool: 'weather', status: 'success' })).toBe(2);
    expect(m.histogram('tool.duration', { tool: 'weather', status: 'success' })).toMatchObject({
      count: 2,
      sum: (2 * STEP_MS) / 1000,
    });
  });

  it('a streamed tool loop counts the tool call from the stream', async () => {
    const result = streamText({
      model: instrumentLanguageModel(anthropicProvider()('claude-test'), options()),
      tools: { weather },
      stopWhen: stepCountIs(3),
      prompt: 'Weather in Paris?',
    });
    expect(await result.text).toBe('Hello from the provider simulator.');
    const m = await h.collect();
    const labels = { provider: 'anthropic', model: 'claude-test' };
    expect(m.value('llm.tool_calls', { ...labels, tool: 'weather' })).toBe(1);
    expect(m.value('llm.requests', { ...labels, operation: 'messages', status: 'success' })).toBe(2);
    expect(m.histogram('llm.time_to_first_token', labels)?.count).toBe(2);
  });

  it('generateObject and streamObject are recorded as the calls they make', async () => {
    const schema = jsonSchema<{ name: string }>({
      type: 'object',
      properties: { name: { type: 'string' } },
      required: ['name'],
    });
    const model = instrumentLanguageModel(openaiProvider().chat('json-test'), options());
    const generated = await generateObject({ model, schema, prompt: 'A name' });
    expect(generated.object).toEqual({ name: 'Ada' });
    const streamed = streamObject({ model, schema, prompt: 'A name' });
    for await (const _ of streamed.partialObjectStream);
    expect(await streamed.object).toEqual({ name: 'Ada' });
    const m = await h.collect();
    const labels = { provider: 'openai', model: 'json-test' };
    expect(m.value('llm.requests', { ...labels, operation: 'chat', status: 'success' })).toBe(2);
    expect(m.histogram('llm.time_to_first_token', labels)?.count).toBe(1);
    expect(m.value('llm.tokens', { ...labels, token_type: 'output' })).toBe(12);
  });

  it('embed and embedMany: operation embeddings, input tokens, cost', async () => {
    const model = instrumentEmbeddingModel(openaiProvider().embedding('embed-test'), options());
    const one = await embed({ model, value: 'hello' });
    expect(one.embedding).toEqual([0.25, -0.5, 0.75, 1]);
    const many = await embedMany({ model, values: ['a', 'b'] });
    expect(many.embeddings).toHaveLength(2);
    const m = await h.collect();
    const labels = { provider: 'openai', model: 'embed-test' };
    expect(m.value('llm.requests', { ...labels, operation: 'embeddings', status: 'success' })).toBe(2);
    expect(m.value('llm.tokens', { ...labels, token_type: 'input' })).toBe(24);
    expect(m.total('api.cost.usd', { ...labels, service: 'llm' })).toBeGreaterThan(0);
  });

  it('errors in the shared taxonomy: 429 rate_limit (each retry is a call), a dropped stream stream_error, an abort cancelled', async () => {
    const model = instrumentLanguageModel(openaiProvider()('gpt-test'), options());
    await expect(generateText({ model, prompt: 'x', maxRetries: 1, headers: fault('429') })).rejects.toThrow();
    const dropped = streamText({ model, prompt: 'x', maxRetries: 0, headers: fault('abort:3'), onError: () => {} });
    await expect(dropped.consumeStream({ onError: () => {} })).resolves.toBeUndefined();
    const controller = new AbortController();
    const stopped = streamText({ model, prompt: 'x', abortSignal: controller.signal, onError: () => {} });
    for await (const _ of stopped.textStream) {
      controller.abort();
      break;
    }
    const m = await h.collect();
    const labels = { provider: 'openai', model: 'gpt-test' };
    expect(m.value('llm.errors', { ...labels, error_type: 'rate_limit' })).toBe(2);
    expect(m.value('llm.errors', { ...labels, error_type: 'stream_error' })).toBe(1);
    expect(m.value('llm.errors', { ...labels, error_type: 'cancelled' })).toBe(1);
    expect(m.value('llm.requests', { ...labels, operation: 'responses', status: 'error' })).toBe(4);
    expect(m.value('errors', { error_type: 'rate_limit', component: 'llm' })).toBe(2);
  });

  it('a tool that throws is a failed run; the error reaches the AI SDK unchanged', async () => {
    const failing = tool({
      inputSchema: jsonSchema<{ city: string }>({
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
      }),
      execute: async (): Promise<string> => {
        throw new TypeError('no such city');
      },
    });
    const result = await generateText({
      model: openaiProvider()('gpt-test'),
      tools: instrumentAiTools({ failing }, { meter: h.meter }),
      stopWhen: stepCountIs(2),
      prompt: 'x',
    });
    const failed = result.steps[0]?.content.find((part) => part.type === 'tool-error');
    expect(failed?.error).toBeInstanceOf(TypeError);
    const m = await h.collect();
    expect(m.value('tool.runs', { tool: 'failing', status: 'error' })).toBe(1);
    expect(m.value('errors', { error_type: 'other', component: 'tool' })).toBe(1);
  });
});

describe('AI SDK middleware: bad configuration fails at creation, hostile models are recorded safely', () => {
  it('rejects missing or wrong options with what to change', () => {
    for (const bad of [
      undefined,
      null,
      42,
      {},
      { meter: {} },
      { meter: h.meter, provider: 'Not A Label!' },
      { meter: h.meter, pricing: 'cheap' },
    ]) {
      expect(() => agentmeterMiddleware(bad as never)).toThrow(AgentMeterConfigError);
    }
    for (const bad of [null, [], 'tools'])
      expect(() => instrumentAiTools(bad as never, { meter: h.meter })).toThrow(AgentMeterConfigError);
    expect(() => instrumentAiTools({}, {} as never)).toThrow(AgentMeterConfigError);
  });

  it('a model with a hostile provider id, a huge model id and broken usage still answers, labelled safely', async () => {
    const hostile = {
      specificationVersion: 'v4' as const,
      provider: 'Evil Provider\n{x="1"}',
      modelId: 'm'.repeat(10_000),
      supportedUrls: {},
      doGenerate: async () => ({
        content: [
          { type: 'text' as const, text: 'ok' },
          { type: 'tool-call' as const, toolCallId: '1', toolName: 'rm -rf /', input: '{}' },
        ],
        finishReason: { unified: 'weird' as never, raw: undefined },
        usage: {
          inputTokens: { total: Number.NaN, noCache: -1, cacheRead: Infinity, cacheWrite: undefined },
          outputTokens: { total: -5, text: undefined, reasoning: undefined },
        },
        warnings: [],
      }),
      doStream: async () => {
        throw new Error('unused');
      },
    };
    const result = await generateText({ model: instrumentLanguageModel(hostile, options()), prompt: 'x' });
    expect(result.text).toBe('ok');
    const m = await h.collect();
    const points = m.raw.points('agentmeter.llm.requests');
    expect(points).toHaveLength(1);
    expect(points[0]?.attributes).toMatchObject({ provider: 'unknown', status: 'success' });
    expect(m.raw.points('agentmeter.llm.tool_calls')[0]?.attributes).toMatchObject({ tool: 'other' });
    expect(m.raw.points('agentmeter.llm.steps')[0]?.attributes).toMatchObject({ finish_reason: 'other' });
    expect(m.raw.points('agentmeter.llm.tokens')).toHaveLength(0);
  });
});
