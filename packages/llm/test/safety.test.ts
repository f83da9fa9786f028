import Anthropic from '@anthropic-ai/sdk';
import { AgentMeterConfigError, createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { createTestReader } from '@agentmeter/core/testing';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentAnthropic, instrumentGoogleGenAI, instrumentOpenAI, providerFromBaseURL } from '../src/index.ts';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const throwing = (): never => {
  throw new Error('broken exporter');
};
const openai = (): OpenAI =>
  new OpenAI({ apiKey: 'sk-test-secret-1234567890ABC', baseURL: `${h.sim.url}/v1`, maxRetries: 0 });

describe('wrap-time checks', () => {
  const notClients: readonly unknown[] = [
    null,
    undefined,
    'openai',
    42,
    Number.NaN,
    Infinity,
    {},
    [],
    () => {},
    { chat: {} },
    { chat: { completions: { create: 'no' } } },
  ];

  it.each(notClients.map((value) => [value]))('instrumentOpenAI(%o) fails with what to pass', (value) => {
    expect(() => instrumentOpenAI(value as object, { meter: h.meter })).toThrow(AgentMeterConfigError);
    expect(() => instrumentOpenAI(value as object, { meter: h.meter })).toThrow(
      /instrumentOpenAI: expected an OpenAI client/,
    );
  });

  it('a client of another SDK is refused by name', () => {
    const anthropic = new Anthropic({ apiKey: 'x' });
    expect(() => instrumentOpenAI(anthropic, { meter: h.meter })).toThrow(
      /chat\.completions\.create, responses\.create, embeddings\.create/,
    );
    expect(() => instrumentAnthropic(openai(), { meter: h.meter })).toThrow(/expected an Anthropic client/);
    expect(() => instrumentGoogleGenAI(openai(), { meter: h.meter })).toThrow(/expected a GoogleGenAI client/);
    expect(() => instrumentAnthropic(new GoogleGenAI({ apiKey: 'x' }), { meter: h.meter })).toThrow(
      AgentMeterConfigError,
    );
  });

  it.each([
    [undefined, /options must be an object with a "meter"/],
    [null, /options must be an object with a "meter"/],
    [{ meter: undefined }, /options.meter must be an AgentMeter/],
    [{ meter: {} }, /options.meter must be an AgentMeter/],
    [{ meter: 'meter' }, /options.meter must be an AgentMeter/],
    [{ provider: 'Open AI' }, /options.provider must be a short lower-case name/],
    [{ provider: 'x'.repeat(100) }, /options.provider/],
    [{ provider: 42 }, /options.provider/],
    [{ provider: '' }, /options.provider/],
    [{ pricing: 'bundled' }, /options.pricing must be a table/],
    [{ pricing: {} }, /options.pricing must be a table/],
    [{ clock: 5 }, /options.clock must be a function/],
    [{ genAiMetrics: 'yes' }, /options.genAiMetrics must be/],
    [{ genAiMetrics: null }, /options.genAiMetrics must be/],
    [{ attributes: 'tenant' }, /options.attributes must be an object/],
    [{ attributes: ['tenant'] }, /options.attributes must be an object/],
    [{ attributes: { model: 'x' } }, /options.attributes must not set "model"/],
  ])('bad options %o fail at wrap time', (options, message) => {
    const given =
      options === undefined || options === null || 'meter' in options ? options : { meter: h.meter, ...options };
    expect(() => instrumentOpenAI(openai(), given as never)).toThrow(message);
  });
});

describe('recording safety', () => {
  it('wrapping twice is harmless: one record per call, and the same client back', async () => {
    const client = openai();
    const options = { meter: h.meter, pricing: h.pricing, provider: 'openai' };
    expect(instrumentOpenAI(instrumentOpenAI(client, options), options)).toBe(client);
    const create = client.chat.completions.create;
    instrumentOpenAI(client, options);
    expect(client.chat.completions.create).toBe(create);
    await client.chat.completions.create({ model: 'gpt-test', messages: [] });
    const m = await h.collect();
    expect(
      m.value('llm.requests', { provider: 'openai', model: 'gpt-test', operation: 'chat', status: 'success' }),
    ).toBe(1);
  });

  it('wraps only this instance: other clients and the prototype are untouched', () => {
    const wrapped = instrumentOpenAI(openai(), { meter: h.meter });
    const plain = openai();
    expect(wrapped.chat.completions.create).not.toBe(plain.chat.completions.create);
    expect(plain.chat.completions.create).toBe(Object.getPrototypeOf(plain.chat.completions).create);
  });

  it('no API key, prompt or completion ever becomes a label; hostile model names are bounded', async () => {
    const client = instrumentOpenAI(openai(), { meter: h.meter, pricing: h.pricing });
    const secretPrompt = [{ role: 'user' as const, content: 'my secret prompt' }];
    await client.chat.completions.create({ model: 'gpt-test', messages: secretPrompt });
    await client.chat.completions.create({ model: 'm'.repeat(5000), messages: secretPrompt });
    await client.chat.completions.create({ model: 42 as never, messages: secretPrompt });
    await client.chat.completions.create({ model: 'sk-proj-Abc123Def456Ghi789', messages: secretPrompt });
    const m = await h.collect();
    const labels = JSON.stringify(
      m.raw.metrics.flatMap((metric) => metric.dataPoints.map((point) => point.attributes)),
    );
    expect(labels).not.toMatch(/secret|Abc123|provider simulator/);
    expect(labels).not.toContain('m'.repeat(200));
    expect(m.value('llm.requests', { provider: 'local', model: 'unknown', operation: 'chat', status: 'success' })).toBe(
      1,
    );
    expect(
      m.value('llm.requests', { provider: 'local', model: '_too_long', operation: 'chat', status: 'success' }),
    ).toBe(1);
  });

  it('a meter that throws never breaks or alters the call', async () => {
    const instrument = new Proxy({}, { get: () => throwing });
    const brokenMeter = {
      instruments: new Proxy({}, { get: () => instrument }),
      startLlmCall: throwing,
    } as unknown as AgentMeter;
    const client = instrumentOpenAI(openai(), { meter: brokenMeter, pricing: false });
    const reply = await client.chat.completions.create({ model: 'gpt-test', messages: [] });
    expect(reply.choices[0]?.message.content).toBe('Hello from the provider simulator.');
    const stream = await client.chat.completions.create({ model: 'gpt-test', messages: [], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from the provider simulator.');
    await expect(
      client.chat.completions.create({ model: 'gpt-test', messages: [] }, { headers: { 'x-sim-fault': '429' } }),
    ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('static attributes label every llm series of the client', async () => {
    const meter = createAgentMeter({ attributes: { llm: ['tenant'] } });
    const reader = createTestReader(meter);
    const client = instrumentOpenAI(openai(), {
      meter,
      pricing: false,
      provider: 'openai',
      attributes: { tenant: 'acme' },
    });
    await client.chat.completions.create({ model: 'gpt-test', messages: [] });
    const m = await reader.collect();
    const labels = { tenant: 'acme', provider: 'openai', model: 'gpt-test' };
    expect(m.value('agentmeter.llm.requests', { ...labels, operation: 'chat', status: 'success' })).toBe(1);
    expect(m.value('agentmeter.llm.tokens', { ...labels, token_type: 'input' })).toBe(10);
    await reader.shutdown();
  });

  it('pricing: false records no cost and no warning', async () => {
    const client = instrumentOpenAI(openai(), { meter: h.meter, pricing: false, provider: 'openai' });
    await client.chat.completions.create({ model: 'gpt-4o', messages: [] });
    const m = await h.collect();
    expect(m.raw.points('agentmeter.api.cost.usd')).toHaveLength(0);
    expect(m.value('llm.tokens', { provider: 'openai', model: 'gpt-4o', token_type: 'input' })).toBe(10);
  });

  it('the bundled prices apply by default', async () => {
    const client = instrumentOpenAI(openai(), { meter: h.meter, provider: 'openai' });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });
    const m = await h.collect();
    // 10 input and 5 output tokens at $0.15 and $0.60 per million.
    expect(m.total('api.cost.usd', { provider: 'openai', model: 'gpt-4o-mini', service: 'llm' })).toBeCloseTo(
      (10 * 0.15 + 5 * 0.6) / 1e6,
      15,
    );
  });
});

describe('providerFromBaseURL', () => {
  it.each([
    [undefined, 'openai'],
    ['https://api.openai.com/v1', 'openai'],
    ['https://api.groq.com/openai/v1', 'groq'],
    ['https://api.mistral.ai/v1', 'mistral'],
    ['https://api.together.xyz/v1', 'together'],
    ['https://api.deepseek.com', 'deepseek'],
    ['https://openrouter.ai/api/v1', 'openrouter'],
    ['https://my-resource.openai.azure.com/openai', 'azure_openai'],
    ['https://generativelanguage.googleapis.com/v1beta/openai/', 'google'],
    ['http://localhost:11434/v1', 'local'],
    ['http://127.0.0.1:8000/v1', 'local'],
    ['http://[::1]:1234/v1', 'local'],
    ['https://llm.internal.example.com/v1', 'openai_compatible'],
    ['https://evilapi.groq.com.attacker.net/v1', 'openai_compatible'],
    ['not a url', 'openai_compatible'],
    [42, 'openai'],
  ])('%s is %s', (baseURL, provider) => {
    expect(providerFromBaseURL(baseURL)).toBe(provider);
  });
});
