import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentOpenAI } from '../src/index.ts';
import { type Harness, instrumentedOpenAI, startHarness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ models: { 'gpt-test': { reply: 'one two three four', usage: { input: 7, output: 4 } } } });
});
afterEach(() => h.close());

function client(options: ConstructorParameters<typeof OpenAI>[0] = {}): OpenAI {
  return instrumentedOpenAI(h, options);
}

const GPT = { provider: 'openai', model: 'gpt-test' };
const CHAT = { ...GPT, operation: 'chat' };
const ask = { model: 'gpt-test', messages: [{ role: 'user' as const, content: 'hi' }] };
const fault = (spec: string, extra: Record<string, string> = {}) => ({ headers: { 'x-sim-fault': spec, ...extra } });

/** Asserts one failed call of the given type, counted in all three error series. */
async function expectOneFailure(errorType: string): Promise<void> {
  const m = await h.collect();
  expect(m.value('llm.requests', { ...CHAT, status: 'error' })).toBe(1);
  expect(m.value('llm.requests', { ...CHAT, status: 'success' })).toBeUndefined();
  expect(m.raw.points('agentmeter.llm.errors').map((point) => point.attributes)).toEqual([
    { ...GPT, error_type: errorType },
  ]);
  expect(m.value('llm.errors', { ...GPT, error_type: errorType })).toBe(1);
  expect(m.value('errors', { error_type: errorType, component: 'llm' })).toBe(1);
  expect(m.histogram('llm.latency', CHAT)?.count).toBe(1);
}

describe('instrumentOpenAI: errors in the shared taxonomy', () => {
  it.each([
    ['429', OpenAI.RateLimitError, 'rate_limit'],
    ['500', OpenAI.InternalServerError, 'server_error'],
    ['503', OpenAI.InternalServerError, 'server_error'],
    ['401', OpenAI.AuthenticationError, 'auth'],
    ['403', OpenAI.PermissionDeniedError, 'auth'],
    ['400', OpenAI.BadRequestError, 'bad_request'],
    ['422', OpenAI.UnprocessableEntityError, 'bad_request'],
  ] as const)('HTTP %s: the caller gets %o, the meter counts %s', async (status, errorClass, errorType) => {
    await expect(client().chat.completions.create(ask, fault(status))).rejects.toBeInstanceOf(errorClass);
    await expectOneFailure(errorType);
  });

  it('429 with retry-after, retried by the SDK: one call, one success', async () => {
    await h.close();
    h = await startHarness({ faults: [{ fault: '429', times: 1, retryAfter: 0 }] });
    const retried = client({ maxRetries: 1 });
    expect((await retried.chat.completions.create(ask)).choices).toHaveLength(1);
    expect(h.sim.simulator.requests).toHaveLength(2);
    const m = await h.collect();
    expect(m.value('llm.requests', { ...CHAT, status: 'success' })).toBe(1);
    expect(m.raw.points('agentmeter.llm.errors')).toHaveLength(0);
  });

  it('a client timeout is timeout (APIConnectionTimeoutError)', async () => {
    await expect(client({ timeout: 100 }).chat.completions.create(ask, fault('hang'))).rejects.toBeInstanceOf(
      OpenAI.APIConnectionTimeoutError,
    );
    await expectOneFailure('timeout');
  });

  it('an aborted request is cancelled (APIUserAbortError)', async () => {
    const controller = new AbortController();
    const pending = client().chat.completions.create(ask, { ...fault('hang'), signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await expectOneFailure('cancelled');
  });

  it('a refused connection is connection (APIConnectionError)', async () => {
    const url = h.sim.url;
    await h.sim.close();
    const openai = instrumentOpenAI(new OpenAI({ apiKey: 'x', baseURL: `${url}/v1`, maxRetries: 0 }), {
      meter: h.meter,
      pricing: h.pricing,
      clock: h.clock,
      genAiMetrics: false,
      provider: 'openai',
    });
    await expect(openai.chat.completions.create(ask)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    await expectOneFailure('connection');
  });

  it('a stream dropped by the server is stream_error, after its first token', async () => {
    const stream = await client().chat.completions.create({ ...ask, stream: true }, fault('abort:3'));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow();
    expect(seen).toEqual(['', 'one', ' two']);
    await expectOneFailure('stream_error');
    expect((await h.collect()).histogram('llm.time_to_first_token', GPT)?.count).toBe(1);
  });

  it('a malformed SSE frame is stream_error', async () => {
    const stream = await client().chat.completions.create({ ...ask, stream: true }, fault('malformed:2'));
    await expect(
      (async () => {
        for await (const _ of stream) {
          /* read */
        }
      })(),
    ).rejects.toThrow(/malformed/);
    await expectOneFailure('stream_error');
  });

  it('a malformed JSON body is stream_error', async () => {
    await expect(client().chat.completions.create(ask, fault('malformed'))).rejects.toThrow();
    await expectOneFailure('stream_error');
  });

  it('a stream the caller aborts through its controller is cancelled', async () => {
    const stream = await client().chat.completions.create({ ...ask, stream: true });
    let chunks = 0;
    for await (const _ of stream) {
      chunks += 1;
      if (chunks === 2) stream.controller.abort();
    }
    expect(chunks).toBe(2);
    await expectOneFailure('cancelled');
  });

  it('a stream the caller leaves with break is cancelled; a break after the final chunk is a success', async () => {
    const early = await client().chat.completions.create({ ...ask, stream: true });
    for await (const _ of early) break;
    await expectOneFailure('cancelled');
    const late = await client().chat.completions.create({ ...ask, stream: true });
    for await (const chunk of late) if (chunk.choices[0]?.finish_reason) break;
    expect((await h.collect()).value('llm.requests', { ...CHAT, status: 'success' })).toBe(1);
  });

  it.each([
    ['chat', 'server_error'],
    ['responses', 'rate_limit'],
  ] as const)('an error event inside a %s stream is classified by its code (%s)', async (api, errorType) => {
    const openai = client();
    const stream =
      api === 'chat'
        ? await openai.chat.completions.create({ ...ask, stream: true }, fault('error-event:3'))
        : await openai.responses.create({ model: 'gpt-test', input: 'x', stream: true }, fault('error-event:5'));
    await expect(
      (async () => {
        for await (const _ of stream) {
          /* read */
        }
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    const m = await h.collect();
    expect(m.value('llm.errors', { ...GPT, error_type: errorType })).toBe(1);
    expect(m.histogram('llm.time_to_first_token', GPT)?.count).toBe(1);
  });
});
