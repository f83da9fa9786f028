import Anthropic from '@anthropic-ai/sdk';
import { createAgentMeter, type AgentMeter } from '@agentmeter/core';
import { createTestReader, errorTypeCounts } from '@agentmeter/core/testing';
import {
  CONFORMANCE_TABLE,
  startFaultServer,
  type ConformanceFailure,
  type FaultServer,
} from '@agentmeter/provider-sim';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentAnthropic, instrumentGoogleGenAI, instrumentOpenAI } from '../src/index.ts';

/** Where a row's request goes, how long the client waits, and the caller's signal. */
interface Call {
  readonly url: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

async function iterate(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    /* read to the end */
  }
}
const MESSAGES = [{ role: 'user' as const, content: 'Hello' }];

/** Each LLM wrapper with its real client, streaming (so a body can be cut or malformed). */
const WRAPPERS: Readonly<Record<string, (meter: AgentMeter, call: Call) => Promise<unknown>>> = {
  'openai chat.completions.create (stream)': async (meter, { url, timeoutMs, signal }) => {
    const client = instrumentOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1`, maxRetries: 0 }), {
      meter,
      pricing: false,
    });
    await iterate(
      await client.chat.completions.create(
        { model: 'gpt-4o-mini', messages: MESSAGES, stream: true },
        { timeout: timeoutMs, signal },
      ),
    );
  },
  'anthropic messages.create (stream)': async (meter, { url, timeoutMs, signal }) => {
    const client = instrumentAnthropic(new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 0 }), {
      meter,
      pricing: false,
    });
    await iterate(
      await client.messages.create(
        { model: 'claude-sonnet-4-5', max_tokens: 16, messages: MESSAGES, stream: true },
        { timeout: timeoutMs, signal },
      ),
    );
  },
  'genai models.generateContentStream': async (meter, { url, timeoutMs, signal }) => {
    const ai = instrumentGoogleGenAI(
      new GoogleGenAI({ apiKey: 'AIza-test', httpOptions: { baseUrl: url, timeout: timeoutMs } }),
      { meter, pricing: false },
    );
    await iterate(
      await ai.models.generateContentStream({ model: 'gemini-test', contents: 'x', config: { abortSignal: signal } }),
    );
  },
};

describe('one error taxonomy across the LLM wrappers', () => {
  let server: FaultServer;
  beforeAll(async () => {
    server = await startFaultServer();
  });
  afterAll(() => server.close());

  const rows = Object.keys(WRAPPERS).flatMap((name) =>
    CONFORMANCE_TABLE.map(([failure, expected]) => [name, failure, expected] as const),
  );

  it.each(rows)('%s: %s is %s', async (name, failure: ConformanceFailure, expected) => {
    const meter = createAgentMeter();
    const reader = createTestReader(meter);
    // Anthropic's client skips frames of events it does not know: the malformed one is a message_start.
    server.set(failure, 'text/event-stream', name.startsWith('anthropic') ? 'message_start' : undefined);
    const controller = new AbortController();
    const timeoutMs = failure === 'client timeout' ? 300 : 30_000;
    if (failure === 'caller abort') setTimeout(() => controller.abort(), 100);
    const url = server.urlFor(failure);
    await expect(WRAPPERS[name]!(meter, { url, timeoutMs, signal: controller.signal })).rejects.toBeDefined();
    expect(errorTypeCounts(await reader.collect())).toEqual({ [expected]: 1 });
    await reader.shutdown();
  });
});
