import Anthropic from '@anthropic-ai/sdk';
import { wrapTwiceRuns } from '@agentmeter/core/testing';
import { startLlmSimulator, type LlmSimulatorServer } from '@agentmeter/provider-sim';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentAnthropic, instrumentGoogleGenAI, instrumentOpenAI } from '../src/index.ts';

/** Each wrapper: a fresh real client, its wrapper, and one call. */
interface Case {
  open(url: string): object;
  wrap(client: object, options: Record<string, unknown>): unknown;
  call(client: object): Promise<unknown>;
}

const CASES: Readonly<Record<string, Case>> = {
  instrumentOpenAI: {
    open: (url) => new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1`, maxRetries: 0 }),
    wrap: (c, o) => instrumentOpenAI(c, o as never),
    call: (c) =>
      (c as OpenAI).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
  },
  instrumentAnthropic: {
    open: (url) => new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 0 }),
    wrap: (c, o) => instrumentAnthropic(c, o as never),
    call: (c) =>
      (c as Anthropic).messages.create({
        model: 'claude-test',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'x' }],
      }),
  },
  instrumentGoogleGenAI: {
    open: (url) => new GoogleGenAI({ apiKey: 'AIza-test', httpOptions: { baseUrl: url } }),
    wrap: (c, o) => instrumentGoogleGenAI(c, o as never),
    call: (c) => (c as GoogleGenAI).models.generateContent({ model: 'gemini-test', contents: 'x' }),
  },
};

describe('wrapping an instrumented LLM client again', () => {
  let sim: LlmSimulatorServer;
  beforeAll(async () => {
    sim = await startLlmSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  it.each(Object.keys(CASES))(
    '%s: changes nothing a scrape sees, whatever the options, and warns once when they differ',
    async (name) => {
      const { open, wrap, call } = CASES[name]!;
      const runs = await wrapTwiceRuns(
        () => open(sim.url),
        wrap,
        call,
        (meter) => [
          { meter, pricing: false, provider: 'other' },
          { meter, provider: 'third' },
        ],
      );
      expect(runs.map((run) => run.warnings.length)).toEqual([0, 0, 1]);
      expect(runs[2]!.warnings[0]).toMatch(/already instrumented.*first wrap's options stay/);
      expect(runs[0]!.lines.some((line) => line.includes('llm.requests'))).toBe(true);
      expect(runs[1]!.lines).toEqual(runs[0]!.lines);
      expect(runs[2]!.lines).toEqual(runs[0]!.lines);
    },
  );
});
