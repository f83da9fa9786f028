import Anthropic from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentAnthropic } from '../src/index.ts';
import { expectedCost, type Harness, startHarness, TEST_PRICES } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({
    models: { 'claude-test': { reply: 'Bonjour mon ami', usage: { input: 50, cached_input: 30, output: 12 } } },
  });
});
afterEach(() => h.close());

function client(options: ConstructorParameters<typeof Anthropic>[0] = {}): Anthropic {
  const anthropic = new Anthropic({ apiKey: 'sk-ant-test-secret', baseURL: h.sim.url, maxRetries: 0, ...options });
  return instrumentAnthropic(anthropic, { meter: h.meter, pricing: h.pricing, clock: h.clock, genAiMetrics: false });
}

const CLAUDE = { provider: 'anthropic', model: 'claude-test' };
const CHAT = { ...CLAUDE, operation: 'chat' };
const ask = { model: 'claude-test', max_tokens: 100, messages: [{ role: 'user' as const, content: 'secret prompt' }] };
const fault = (spec: string) => ({ headers: { 'x-sim-fault': spec } });
const price = TEST_PRICES[3]!;

/** One successful call with the model's usage; `streamed` says whether time to first token exists. */
async function expectOneSuccess(streamed: boolean): Promise<void> {
  const m = await h.collect();
  expect(m.value('llm.requests', { ...CHAT, status: 'success' })).toBe(1);
  expect(m.value('llm.tokens', { ...CLAUDE, token_type: 'input' })).toBe(50);
  expect(m.value('llm.tokens', { ...CLAUDE, token_type: 'cached_input' })).toBe(30);
  expect(m.value('llm.tokens', { ...CLAUDE, token_type: 'output' })).toBe(12);
  expect(m.total('api.cost.usd', { ...CLAUDE, service: 'llm' })).toBeCloseTo(expectedCost(price, 50, 30, 12), 15);
  expect(m.histogram('llm.time_to_first_token', CLAUDE)?.count).toBe(streamed ? 1 : undefined);
}

async function expectOneFailure(errorType: string): Promise<void> {
  const m = await h.collect();
  expect(m.value('llm.requests', { ...CHAT, status: 'error' })).toBe(1);
  expect(m.raw.points('agentmeter.llm.errors').map((point) => point.attributes)).toEqual([
    { ...CLAUDE, error_type: errorType },
  ]);
  expect(m.value('errors', { error_type: errorType, component: 'llm' })).toBe(1);
}

describe('instrumentAnthropic', () => {
  it('records messages.create JSON; the APIPromise keeps .withResponse()', async () => {
    const { data, response } = await client().messages.create(ask).withResponse();
    expect(data.content[0]).toMatchObject({ type: 'text', text: 'Bonjour mon ami' });
    expect(response.status).toBe(200);
    await expectOneSuccess(false);
    expect((await h.collect()).histogram('llm.latency', CHAT)).toMatchObject({ count: 1, sum: 0.1 });
  });

  it('records messages.create with stream: true (message_start input, cumulative message_delta output)', async () => {
    const stream = await client().messages.create({ ...ask, stream: true });
    expect(stream.controller).toBeInstanceOf(AbortController);
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    await expectOneSuccess(true);
    const m = await h.collect();
    expect(m.histogram('llm.time_to_first_token', CLAUDE)).toMatchObject({ count: 1, sum: 0.1 });
    expect(m.histogram('llm.latency', CHAT)).toMatchObject({ count: 1, sum: 0.2 });
  });

  it('records messages.stream(): the MessageStream keeps its events and finalMessage()', async () => {
    const stream = client().messages.stream(ask);
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const message = await stream.finalMessage();
    expect(text).toBe('Bonjour mon ami');
    expect(message.usage.output_tokens).toBe(12);
    await expectOneSuccess(true);
  });

  it('records beta.messages.create and beta.messages.stream() as well', async () => {
    const anthropic = client();
    await anthropic.beta.messages.create(ask);
    await anthropic.beta.messages.stream(ask).finalMessage();
    const m = await h.collect();
    expect(m.value('llm.requests', { ...CHAT, status: 'success' })).toBe(2);
    expect(m.histogram('llm.time_to_first_token', CLAUDE)?.count).toBe(1);
    expect(m.value('llm.tokens', { ...CLAUDE, token_type: 'output' })).toBe(24);
  });

  it('records a MessageStream the caller aborts as cancelled', async () => {
    const stream = client().messages.stream(ask);
    stream.on('text', () => stream.abort());
    await expect(stream.finalMessage()).rejects.toBeInstanceOf(Anthropic.APIUserAbortError);
    await expectOneFailure('cancelled');
  });

  it.each([
    ['429', Anthropic.RateLimitError, 'rate_limit'],
    ['529', Anthropic.InternalServerError, 'server_error'],
    ['401', Anthropic.AuthenticationError, 'auth'],
    ['400', Anthropic.BadRequestError, 'bad_request'],
  ] as const)('HTTP %s: the caller gets %o, the meter counts %s', async (status, errorClass, errorType) => {
    await expect(client().messages.create(ask, fault(status))).rejects.toBeInstanceOf(errorClass);
    await expectOneFailure(errorType);
  });

  it('a client timeout is timeout', async () => {
    await expect(client({ timeout: 100 }).messages.create(ask, fault('hang'))).rejects.toBeInstanceOf(
      Anthropic.APIConnectionTimeoutError,
    );
    await expectOneFailure('timeout');
  });

  it('a dropped stream is stream_error, a malformed one too, an overloaded_error event is server_error', async () => {
    for (const [spec, errorType] of [
      ['abort:4', 'stream_error'],
      ['malformed:4', 'stream_error'],
      ['error-event:4', 'server_error'],
    ] as const) {
      const stream = await client().messages.create({ ...ask, stream: true }, fault(spec));
      await expect(
        (async () => {
          for await (const _ of stream) {
            /* read */
          }
        })(),
      ).rejects.toThrow();
      const m = await h.collect();
      expect(m.value('llm.errors', { ...CLAUDE, error_type: errorType })).toBeGreaterThanOrEqual(1);
    }
    const m = await h.collect();
    expect(m.value('llm.requests', { ...CHAT, status: 'error' })).toBe(3);
    expect(m.value('llm.errors', { ...CLAUDE, error_type: 'stream_error' })).toBe(2);
    expect(m.value('llm.errors', { ...CLAUDE, error_type: 'server_error' })).toBe(1);
    // message_start arrived before each failure: its input tokens were billed and are counted.
    expect(m.value('llm.tokens', { ...CLAUDE, token_type: 'input' })).toBe(150);
  });
});
