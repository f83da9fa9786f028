import { ApiError, GoogleGenAI } from '@google/genai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentGoogleGenAI } from '../src/index.ts';
import { expectedCost, type Harness, startHarness, TEST_PRICES } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({
    models: {
      'gemini-test': { reply: 'Hallo du da', usage: { input: 40, cached_input: 8, output: 25, reasoning: 20 } },
    },
  });
});
afterEach(() => h.close());

function client(timeout?: number): GoogleGenAI {
  const ai = new GoogleGenAI({
    apiKey: 'AIza-test-secret',
    httpOptions: { baseUrl: h.sim.url, ...(timeout === undefined ? {} : { timeout }) },
  });
  return instrumentGoogleGenAI(ai, { meter: h.meter, pricing: h.pricing, clock: h.clock, genAiMetrics: false });
}

const GEMINI = { provider: 'google', model: 'gemini-test' };
const OP = { ...GEMINI, operation: 'generate_content' };
const fault = (spec: string) => ({ httpOptions: { headers: { 'x-sim-fault': spec } } });
const price = TEST_PRICES[4]!;

async function expectOneFailure(errorType: string): Promise<void> {
  const m = await h.collect();
  expect(m.value('llm.requests', { ...OP, status: 'error' })).toBe(1);
  expect(m.raw.points('agentmeter.llm.errors').map((point) => point.attributes)).toEqual([
    { ...GEMINI, error_type: errorType },
  ]);
  expect(m.value('errors', { error_type: errorType, component: 'llm' })).toBe(1);
}

describe('instrumentGoogleGenAI', () => {
  it('records generateContent: usageMetadata with cached and thinking tokens, and cost', async () => {
    const response = await client().models.generateContent({ model: 'gemini-test', contents: 'secret prompt' });
    expect(response.text).toBe('Hallo du da');
    const m = await h.collect();
    expect(m.value('llm.requests', { ...OP, status: 'success' })).toBe(1);
    expect(m.histogram('llm.latency', OP)).toMatchObject({ count: 1, sum: 0.1 });
    expect(m.histogram('llm.time_to_first_token', GEMINI)).toBeUndefined();
    expect(m.value('llm.tokens', { ...GEMINI, token_type: 'input' })).toBe(40);
    expect(m.value('llm.tokens', { ...GEMINI, token_type: 'cached_input' })).toBe(8);
    expect(m.value('llm.tokens', { ...GEMINI, token_type: 'output' })).toBe(25);
    expect(m.value('llm.tokens', { ...GEMINI, token_type: 'reasoning' })).toBe(20);
    expect(m.total('api.cost.usd', { ...GEMINI, service: 'llm' })).toBeCloseTo(expectedCost(price, 40, 8, 25), 15);
  });

  it('records generateContentStream: first token, final usageMetadata, and the same async generator', async () => {
    const stream = await client().models.generateContentStream({ model: 'models/gemini-test', contents: 'x' });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text).toBe('Hallo du da');
    const m = await h.collect();
    expect(m.value('llm.requests', { ...OP, status: 'success' })).toBe(1);
    expect(m.histogram('llm.time_to_first_token', GEMINI)).toMatchObject({ count: 1, sum: 0.1 });
    expect(m.histogram('llm.latency', OP)).toMatchObject({ count: 1, sum: 0.2 });
    expect(m.value('llm.tokens', { ...GEMINI, token_type: 'input' })).toBe(40);
    expect(m.value('llm.tokens', { ...GEMINI, token_type: 'output' })).toBe(25);
  });

  it('counts chats, which call models.generateContent', async () => {
    const chat = client().chats.create({ model: 'gemini-test' });
    expect((await chat.sendMessage({ message: 'hi' })).text).toBe('Hallo du da');
    expect((await h.collect()).value('llm.requests', { ...OP, status: 'success' })).toBe(1);
  });

  it.each([
    ['429', 'rate_limit'],
    ['500', 'server_error'],
    ['403', 'auth'],
    ['400', 'bad_request'],
  ] as const)('HTTP %s is %s (ApiError)', async (status, errorType) => {
    await expect(
      client().models.generateContent({ model: 'gemini-test', contents: 'x', config: fault(status) }),
    ).rejects.toBeInstanceOf(ApiError);
    await expectOneFailure(errorType);
  });

  it('the SDK timeout is timeout, the caller abort is cancelled (both AbortError)', async () => {
    await expect(
      client(100).models.generateContent({ model: 'gemini-test', contents: 'x', config: fault('hang') }),
    ).rejects.toThrow();
    await expectOneFailure('timeout');
    const controller = new AbortController();
    const pending = client().models.generateContent({
      model: 'gemini-test',
      contents: 'x',
      config: { ...fault('hang'), abortSignal: controller.signal },
    });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toThrow();
    expect((await h.collect()).value('llm.errors', { ...GEMINI, error_type: 'cancelled' })).toBe(1);
  });

  it.each([
    ['abort:1', 'stream_error'],
    ['malformed:1', 'stream_error'],
    ['error-event:1', 'server_error'],
  ] as const)('a stream with fault %s is %s', async (spec, errorType) => {
    const stream = await client().models.generateContentStream({
      model: 'gemini-test',
      contents: 'x',
      config: fault(spec),
    });
    await expect(
      (async () => {
        for await (const _ of stream) {
          /* read */
        }
      })(),
    ).rejects.toThrow();
    await expectOneFailure(errorType);
  });

  it('a stream the caller leaves early is cancelled', async () => {
    const stream = await client().models.generateContentStream({ model: 'gemini-test', contents: 'x' });
    for await (const _ of stream) break;
    await expectOneFailure('cancelled');
  });
});
