import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { createTestReader, type TestReader } from '@agentmeter/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GEN_AI_CHUNK_BUCKETS,
  GEN_AI_FIRST_CHUNK_BUCKETS,
  instrumentAnthropic,
  instrumentGoogleGenAI,
  instrumentLlmFunction,
  instrumentOpenAI,
} from '../src/index.ts';
import { type Harness, startHarness, STEP_MS } from './harness.ts';

let h: Harness;
let otel: TestReader;
beforeEach(async () => {
  h = await startHarness({
    models: {
      'gpt-test': { reply: 'one two three four' },
      'claude-test': { reply: 'one two three four' },
      'gemini-test': { reply: 'one two three four' },
    },
  });
  otel = createTestReader();
});
afterEach(async () => {
  await otel.shutdown();
  await h.close();
});

/** The step clock reads: start, then one per output chunk, then the end. */
async function expectChunkMetrics(provider: string, model: string, operation: string): Promise<void> {
  const m = await otel.collect();
  const base = { 'gen_ai.operation.name': operation, 'gen_ai.provider.name': provider, 'gen_ai.request.model': model };
  const first = m.histogram('gen_ai.client.operation.time_to_first_chunk', base);
  expect(first).toMatchObject({ count: 1 });
  expect(first?.sum).toBeCloseTo(STEP_MS / 1000, 9);
  expect(first?.buckets.boundaries).toEqual(GEN_AI_FIRST_CHUNK_BUCKETS);
  const later = m.histogram('gen_ai.client.operation.time_per_output_chunk', base);
  expect(later?.count).toBeGreaterThanOrEqual(1);
  expect(later?.sum).toBeCloseTo((later!.count * STEP_MS) / 1000, 9);
  expect(later?.buckets.boundaries).toEqual(GEN_AI_CHUNK_BUCKETS);
  const duration = m
    .points('gen_ai.client.operation.duration')
    .find((point) => point.attributes['gen_ai.request.model'] === model);
  // start, the first chunk, every later chunk, the end.
  expect((duration!.value as { sum: number }).sum).toBeCloseTo(((later!.count + 2) * STEP_MS) / 1000, 9);
}

function options(): {
  meter: Harness['meter'];
  pricing: false;
  clock: () => number;
  genAiMetrics: { meterProvider: TestReader['provider'] };
} {
  return { meter: h.meter, pricing: false, clock: h.clock, genAiMetrics: { meterProvider: otel.provider } };
}

async function* words(): AsyncGenerator<string> {
  yield 'a';
  yield 'b';
  yield 'c';
}

describe('GenAI time to first chunk and time per output chunk, for every LLM wrapper', () => {
  it('openai chat.completions stream', async () => {
    const openai = instrumentOpenAI(new OpenAI({ apiKey: 'sk-x', baseURL: `${h.sim.url}/v1`, maxRetries: 0 }), {
      ...options(),
      provider: 'openai',
    });
    for await (const _ of await openai.chat.completions.create({ model: 'gpt-test', messages: [], stream: true })) {
      /* drain */
    }
    await expectChunkMetrics('openai', 'gpt-test', 'chat');
  });

  it('@anthropic-ai/sdk messages stream', async () => {
    const anthropic = instrumentAnthropic(
      new Anthropic({ apiKey: 'sk-ant-x', baseURL: h.sim.url, maxRetries: 0 }),
      options(),
    );
    await anthropic.messages.stream({ model: 'claude-test', max_tokens: 10, messages: [] }).finalMessage();
    await expectChunkMetrics('anthropic', 'claude-test', 'chat');
  });

  it('@google/genai generateContentStream', async () => {
    const ai = instrumentGoogleGenAI(
      new GoogleGenAI({ apiKey: 'AIza-x', httpOptions: { baseUrl: h.sim.url } }),
      options(),
    );
    for await (const _ of await ai.models.generateContentStream({ model: 'gemini-test', contents: 'x' })) {
      /* drain */
    }
    await expectChunkMetrics('gcp.gemini', 'gemini-test', 'generate_content');
  });

  it('instrumentLlmFunction streams', async () => {
    const wrapped = instrumentLlmFunction(words, {
      ...options(),
      provider: 'cohere',
      model: 'command-test',
      chunk: () => ({ content: true }),
    });
    for await (const _ of wrapped()) {
      /* drain */
    }
    await expectChunkMetrics('cohere', 'command-test', 'chat');
    const later = (await otel.collect()).histogram('gen_ai.client.operation.time_per_output_chunk', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'cohere',
      'gen_ai.request.model': 'command-test',
    });
    expect(later?.count).toBe(2);
  });

  it('records no chunk metrics for a call that is not streamed', async () => {
    const openai = instrumentOpenAI(new OpenAI({ apiKey: 'sk-x', baseURL: `${h.sim.url}/v1`, maxRetries: 0 }), {
      ...options(),
      provider: 'openai',
    });
    await openai.chat.completions.create({ model: 'gpt-test', messages: [] });
    const m = await otel.collect();
    expect(m.points('gen_ai.client.operation.time_to_first_chunk')).toEqual([]);
    expect(m.points('gen_ai.client.operation.time_per_output_chunk')).toEqual([]);
    expect(m.points('gen_ai.client.operation.duration')).toHaveLength(1);
  });

  it('names @google/genai on Vertex AI gcp.vertex_ai, with the provider label google_vertex', async () => {
    const ai = instrumentGoogleGenAI(
      new GoogleGenAI({ vertexai: true, apiKey: 'AIza-x', httpOptions: { baseUrl: h.sim.url } }),
      options(),
    );
    await ai.models.generateContent({ model: 'gemini-test', contents: 'x' }).catch(() => undefined);
    const m = await otel.collect();
    expect(
      m.points('gen_ai.client.operation.duration').map((point) => point.attributes['gen_ai.provider.name']),
    ).toEqual(['gcp.vertex_ai']);
    expect(
      (await h.collect()).raw.points('agentmeter.llm.latency').map((point) => point.attributes['provider']),
    ).toEqual(['google_vertex']);
  });
});

function client(extra: Record<string, unknown>): OpenAI {
  return instrumentOpenAI(new OpenAI({ apiKey: 'sk-x', baseURL: `${h.sim.url}/v1`, maxRetries: 0 }), {
    meter: h.meter,
    pricing: false,
    clock: h.clock,
    provider: 'openai',
    ...extra,
  });
}

describe('the semantic-convention switch', () => {
  it('is `semconv`, as in the database wrappers; `genAiMetrics` stays as its deprecated alias', async () => {
    await client({ semconv: otel.provider }).chat.completions.create({ model: 'gpt-test', messages: [] });
    await client({ genAiMetrics: { meterProvider: otel.provider } }).chat.completions.create({
      model: 'gpt-test',
      messages: [],
    });
    // `semconv` wins over the alias.
    await client({ semconv: false, genAiMetrics: { meterProvider: otel.provider } }).chat.completions.create({
      model: 'gpt-test',
      messages: [],
    });
    await client({ semconv: otel.provider, genAiMetrics: false }).chat.completions.create({
      model: 'gpt-test',
      messages: [],
    });
    const duration = (await otel.collect()).histogram('gen_ai.client.operation.duration', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.response.model': 'gpt-test',
    });
    expect(duration?.count).toBe(3);
  });

  it("rejects what is neither a MeterProvider, 'global' nor a boolean at wrap time", () => {
    for (const bad of [42, 'yes', {}, null])
      expect(() => client({ semconv: bad })).toThrow(/options.semconv must be an OpenTelemetry MeterProvider/);
  });
});
