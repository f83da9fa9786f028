import { once } from 'node:events';
import { createOpenAI } from '@ai-sdk/openai';
import { wrapTwiceRuns, type WrapRun } from '@agentmeter/core/testing';
import { startGeminiLiveSim, startLlmSimulator, startOpenAIRealtimeSim } from '@agentmeter/provider-sim';
import { GoogleGenAI, Modality } from '@google/genai';
import { embed, generateText, jsonSchema, tool } from 'ai';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { describe, expect, it } from 'vitest';
import { instrumentAiTools, instrumentEmbeddingModel, instrumentLanguageModel } from '../src/ai-sdk/index.ts';
import { instrumentGeminiLive, instrumentLlmFunction, instrumentOpenAIRealtime } from '../src/index.ts';

/** Wrappers that return a new object: the test holds it, and each wrap replaces it with what the wrapper returned. */
interface Held<T> {
  value: T;
}

/** Wrapped once, twice with the same options, and again with others: equal scrapes, one warning per wrapped object. */
function expectIdempotent(runs: WrapRun[], family: string, wrapped = 1): void {
  expect(runs.map((run) => run.warnings.length)).toEqual([0, 0, wrapped]);
  for (const warning of runs[2]!.warnings) expect(warning).toMatch(/already instrumented.*first wrap's options stay/);
  expect(runs[0]!.lines.some((line) => line.includes(family))).toBe(true);
  expect(runs[1]!.lines).toEqual(runs[0]!.lines);
  expect(runs[2]!.lines).toEqual(runs[0]!.lines);
}

const others = (meter: object): Record<string, unknown>[] => [
  { meter, pricing: false, provider: 'other' },
  { meter, provider: 'third' },
];

describe('wrapping again: the realtime, function and AI SDK wrappers', () => {
  it('instrumentOpenAIRealtime: a session and its response are counted once', async () => {
    const sim = await startOpenAIRealtimeSim({ audioDeltas: 2, deltaMs: 1 });
    try {
      const runs = await wrapTwiceRuns(
        () =>
          new OpenAIRealtimeWS(
            { model: 'gpt-realtime', options: { ca: sim.ca } },
            new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1` }),
          ),
        (rt, options) => instrumentOpenAIRealtime(rt, options as never),
        async (client) => {
          const rt = client as OpenAIRealtimeWS;
          await once(rt.socket, 'open');
          const done = new Promise((resolve) => rt.once('response.done', resolve));
          rt.send({ type: 'response.create' });
          await done;
          rt.close();
          await once(rt.socket, 'close');
        },
        others,
      );
      expectIdempotent(runs, 'llm.requests');
    } finally {
      await sim.close();
    }
  });

  it('instrumentGeminiLive: a Live session and its turn are counted once', async () => {
    const sim = await startGeminiLiveSim({ audioChunks: 2, chunkMs: 1 });
    try {
      const runs = await wrapTwiceRuns(
        () => new GoogleGenAI({ apiKey: 'AIza-test', httpOptions: { baseUrl: sim.url } }),
        (ai, options) => instrumentGeminiLive(ai, options as never),
        async (ai) => {
          let turnDone!: () => void;
          let closed!: () => void;
          const turn = new Promise<void>((resolve) => (turnDone = resolve));
          const end = new Promise<void>((resolve) => (closed = resolve));
          const session = await (ai as GoogleGenAI).live.connect({
            model: 'gemini-live-2.5-flash-preview',
            config: { responseModalities: [Modality.AUDIO] },
            callbacks: {
              onmessage: (m) => m.serverContent?.turnComplete === true && turnDone(),
              onclose: () => closed(),
            },
          });
          session.sendClientContent({ turns: 'hi' });
          await turn;
          session.close();
          await end;
        },
        others,
      );
      expectIdempotent(runs, 'llm.requests');
    } finally {
      await sim.close();
    }
  });

  it('instrumentLlmFunction: wrapping the function it returned gives it back, each call counted once', async () => {
    const runs = await wrapTwiceRuns(
      (): Held<(prompt: string) => Promise<string>> => ({ value: async (prompt: string) => `echo ${prompt}` }),
      (held, options) => {
        const h = held as Held<(prompt: string) => Promise<string>>;
        h.value = instrumentLlmFunction(h.value, { provider: 'cohere', model: 'command-r', ...options } as never);
      },
      async (held) => (held as Held<(prompt: string) => Promise<string>>).value('x'),
      (meter) => [{ meter, provider: 'other', model: 'another' }],
    );
    expectIdempotent(runs, 'llm.requests');
  });

  it('instrumentLanguageModel, instrumentEmbeddingModel and instrumentAiTools: a model or tool set they returned is given back', async () => {
    const sim = await startLlmSimulator();
    try {
      const provider = createOpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1` });
      type Models = Held<{
        model: ReturnType<typeof instrumentLanguageModel>;
        embedder: ReturnType<typeof instrumentEmbeddingModel>;
        tools: Record<string, object>;
      }>;
      const runs = await wrapTwiceRuns(
        (): Models => ({
          value: {
            model: provider('gpt-test') as never,
            embedder: provider.embedding('embed-test') as never,
            tools: {
              weather: tool({
                inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }),
                execute: async () => ({ celsius: 21 }),
              }),
            },
          },
        }),
        (held, options) => {
          const h = held as Models;
          h.value = {
            model: instrumentLanguageModel(h.value.model, options as never),
            embedder: instrumentEmbeddingModel(h.value.embedder, options as never),
            tools: instrumentAiTools(h.value.tools, options as never),
          };
        },
        async (held) => {
          const { model, embedder, tools } = (held as Models).value;
          await generateText({ model, prompt: 'hi' });
          await embed({ model: embedder, value: 'hello' });
          await (tools['weather'] as { execute: (input: unknown, context: unknown) => Promise<unknown> }).execute(
            { city: 'Paris' },
            { toolCallId: 't1', messages: [] },
          );
        },
        (meter) => [{ meter, provider: 'other', pricing: false }],
      );
      // One warning for each of the model, the embedding model and the tool set.
      expectIdempotent(runs, 'llm.requests', 3);
      expect(runs[0]!.lines.some((line) => line.includes('tool.runs'))).toBe(true);
      expect(runs[0]!.lines.some((line) => line.includes('embeddings'))).toBe(true);
    } finally {
      await sim.close();
    }
  });
});
