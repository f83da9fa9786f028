import { AgentMeterConfigError } from '@agentmeter/core';
import { DynamicStructuredTool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentmeterCallbackHandler } from '../src/langchain/index.ts';
import { expectedCost, type Harness, startHarness, STEP_MS, TEST_PRICES } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ usage: { input: 12, cached_input: 4, output: 6, reasoning: 2 } });
});
afterEach(async () => h.close());

const chat = (fields: Partial<ConstructorParameters<typeof ChatOpenAI>[0]> = {}) =>
  new ChatOpenAI({
    model: 'gpt-test',
    apiKey: 'sk-test-secret',
    maxRetries: 0,
    configuration: { baseURL: `${h.sim.url}/v1` },
    ...fields,
  });
const handler = () =>
  new AgentmeterCallbackHandler({ meter: h.meter, pricing: h.pricing, clock: h.clock, genAiMetrics: false });
const labels = { provider: 'openai', model: 'gpt-test' };
const row = TEST_PRICES.find((price) => price.model === 'gpt-test')!;

const weather = new DynamicStructuredTool({
  name: 'weather',
  description: 'The weather in a city',
  schema: { type: 'object' as const, properties: { city: { type: 'string' as const } }, required: ['city'] },
  func: async ({ city }: { city: string }) => `Sunny in ${city}`,
});

/** Runs a tool as an agent does (its JSON-schema input type is not inferred). */
const run = (structured: object, input: object, callbacks: unknown[]): Promise<unknown> =>
  (structured as unknown as { invoke(input: object, config: object): Promise<unknown> }).invoke(input, { callbacks });

describe('LangChain.js callback handler, real @langchain/core and @langchain/openai against the simulator', () => {
  it("invoke: a chat call with latency, tokens by type, cost and its step; the answer is the model's", async () => {
    const answer = await chat().invoke('Say hello', { callbacks: [handler()] });
    expect(answer.content).toBe('Hello from the provider simulator.');
    const m = await h.collect();
    expect(m.value('llm.requests', { ...labels, operation: 'chat', status: 'success' })).toBe(1);
    expect(m.histogram('llm.latency', { ...labels, operation: 'chat' })).toMatchObject({
      count: 1,
      sum: STEP_MS / 1000,
    });
    expect(m.value('llm.tokens', { ...labels, token_type: 'input' })).toBe(12);
    expect(m.value('llm.tokens', { ...labels, token_type: 'cached_input' })).toBe(4);
    expect(m.value('llm.tokens', { ...labels, token_type: 'output' })).toBe(6);
    expect(m.value('llm.tokens', { ...labels, token_type: 'reasoning' })).toBe(2);
    expect(m.total('api.cost.usd', { ...labels, service: 'llm' })).toBeCloseTo(expectedCost(row, 12, 4, 6), 12);
    expect(m.value('llm.steps', { ...labels, finish_reason: 'stop' })).toBe(1);
  });

  it('stream: time to first token from the first content chunk, usage from the final chunk', async () => {
    let text = '';
    for await (const chunk of await chat().stream('Say hello', { callbacks: [handler()] }))
      text += String(chunk.content);
    expect(text).toBe('Hello from the provider simulator.');
    const m = await h.collect();
    expect(m.histogram('llm.time_to_first_token', labels)).toMatchObject({ count: 1, sum: STEP_MS / 1000 });
    expect(m.value('llm.requests', { ...labels, operation: 'chat', status: 'success' })).toBe(1);
    expect(m.value('llm.tokens', { ...labels, token_type: 'output' })).toBe(6);
  });

  it('tool calls of a bound model are counted by name; a tool run is timed, a failing one counted as an error', async () => {
    const callbacks = [handler()];
    const answer = await chat().bindTools([weather]).invoke('Weather in Paris?', { callbacks });
    expect(answer.tool_calls?.[0]?.name).toBe('weather');
    expect(await run(weather, { city: 'Paris' }, callbacks)).toBe('Sunny in Paris');
    const broken = new DynamicStructuredTool({
      name: 'broken',
      description: 'fails',
      schema: { type: 'object' as const, properties: {} },
      func: async (): Promise<string> => {
        throw new RangeError('no forecast');
      },
    });
    await expect(run(broken, {}, callbacks)).rejects.toThrow(RangeError);
    const m = await h.collect();
    expect(m.value('llm.tool_calls', { ...labels, tool: 'weather' })).toBe(1);
    expect(m.value('llm.steps', { ...labels, finish_reason: 'tool_calls' })).toBe(1);
    expect(m.value('tool.runs', { tool: 'weather', status: 'success' })).toBe(1);
    expect(m.histogram('tool.duration', { tool: 'weather', status: 'success' })).toMatchObject({
      count: 1,
      sum: STEP_MS / 1000,
    });
    expect(m.value('tool.runs', { tool: 'broken', status: 'error' })).toBe(1);
    expect(m.value('errors', { error_type: 'other', component: 'tool' })).toBe(1);
  });

  it('errors in the shared taxonomy: a 429 is rate_limit, a dropped stream stream_error; LangChain still throws its own error', async () => {
    const callbacks = [handler()];
    await expect(
      chat({ configuration: { baseURL: `${h.sim.url}/v1`, defaultHeaders: { 'x-sim-fault': '429' } } }).invoke('x', {
        callbacks,
      }),
    ).rejects.toThrow();
    const dropped = chat({
      configuration: { baseURL: `${h.sim.url}/v1`, defaultHeaders: { 'x-sim-fault': 'abort:3' } },
    });
    await expect(
      (async () => {
        for await (const _ of await dropped.stream('x', { callbacks }));
      })(),
    ).rejects.toThrow();
    const m = await h.collect();
    expect(m.value('llm.errors', { ...labels, error_type: 'rate_limit' })).toBe(1);
    expect(m.value('llm.errors', { ...labels, error_type: 'stream_error' })).toBe(1);
    expect(m.value('llm.requests', { ...labels, operation: 'chat', status: 'error' })).toBe(2);
  });

  it("provider option overrides the model's; the handler also works registered on the model itself", async () => {
    const model = chat({ callbacks: [new AgentmeterCallbackHandler({ meter: h.meter, provider: 'azure_openai' })] });
    await model.invoke('hi');
    const m = await h.collect();
    expect(
      m.value('llm.requests', { provider: 'azure_openai', model: 'gpt-test', operation: 'chat', status: 'success' }),
    ).toBe(1);
  });
});

describe('LangChain.js handler: bad configuration and hostile runs', () => {
  it('rejects missing or wrong options with what to change', () => {
    for (const bad of [
      undefined,
      null,
      {},
      { meter: 'meter' },
      { meter: h.meter, provider: 'UPPER case' },
      { meter: h.meter, clock: 5 },
    ]) {
      expect(() => new AgentmeterCallbackHandler(bad as never)).toThrow(AgentMeterConfigError);
    }
  });

  it('never throws on hostile or out-of-order events, and labels stay bounded', () => {
    const handle = handler();
    const hostile = { id: ['x', 'y', 'Evil Provider!'], lc: 1, type: 'not_implemented' } as never;
    expect(() => {
      handle.handleLLMEnd({ generations: [] }, 'never-started');
      handle.handleLLMError(new Error('x'), 'never-started');
      handle.handleToolEnd('x', 'never-started');
      handle.handleChatModelStart(
        hostile,
        [],
        'r1',
        undefined,
        { invocation_params: { model: 'm'.repeat(5000) } },
        [],
        { ls_provider: 42 },
      );
      handle.handleLLMNewToken('', {} as never, 'r1', undefined, undefined, { chunk: null } as never);
      handle.handleLLMEnd(
        {
          generations: [
            [
              {
                text: '',
                message: {
                  tool_calls: [{ name: 'a b c; drop' }],
                  usage_metadata: { input_tokens: Number.NaN, output_tokens: -1 },
                },
              } as never,
            ],
          ],
        },
        'r1',
      );
      handle.handleLLMEnd({ generations: [] }, 'r1');
      handle.handleToolStart(
        { id: [] } as never,
        'secret prompt',
        't1',
        undefined,
        undefined,
        undefined,
        'x'.repeat(500),
      );
      handle.handleToolError(undefined, 't1');
    }).not.toThrow();
  });
});
