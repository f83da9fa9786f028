import Anthropic from '@anthropic-ai/sdk';
import { createAgentMeter, ERROR_TYPES } from '@agentmeter/core';
import { createTestReader } from '@agentmeter/core/testing';
import { instrumentAnthropic, instrumentGoogleGenAI, instrumentLlmFunction, instrumentOpenAI } from '@agentmeter/llm';
import { startLlmSimulator, type LlmSimulatorServer } from '@agentmeter/provider-sim';
import { GoogleGenAI } from '@google/genai';
import fc from 'fast-check';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureDiag, dataProblems, type CapturedDiag } from '../src/checks.ts';
import { settle, settleByIdentity } from '../src/compare.ts';
import { reportFigure } from '../src/figures.ts';
import { FUZZ_SEED, hostileString, hostileValue, isOwnThrow, SECRETS } from '../src/hostile.ts';

const API_KEY = SECRETS[0]!;
const RUNS = Number(process.env['AGENTMETER_FUZZ_WRAPPER_RUNS'] ?? 60);
const SERIES_LIMIT = 200;
const meter = createAgentMeter({ seriesLimit: SERIES_LIMIT });
const reader = createTestReader(meter);
let sim: LlmSimulatorServer;
let captured: CapturedDiag;
let calls = 0;

beforeAll(async () => {
  captured = captureDiag();
  sim = await startLlmSimulator({ usage: { input: 7, output: 3 } });
});
afterAll(async () => {
  reportFigure('calls fuzzed: @agentmeter/llm wrappers', calls);
  await sim.close();
  await reader.shutdown();
  captured.restore();
});

/** Model names a caller might send, hostile ones included (no megabytes: they would only test the sim). */
const model = fc.oneof(
  fc.constantFrom('gpt-test', 'claude-test', 'gemini-test', ...SECRETS),
  hostileString.filter((text) => text.length < 200),
);
const content = fc.oneof(
  fc.constantFrom('hello', 'Bearer sk-proj-abc'),
  hostileString.filter((text) => text.length < 2_000),
);
/** Faults the simulator plays, chosen by the `x-sim-fault` header. */
const fault = fc.constantFrom(
  undefined,
  '429',
  '500',
  '503',
  '401',
  '400',
  '404',
  'abort:1',
  'malformed:1',
  'error-event:1',
);
const headersFor = (chosen: string | undefined): Record<string, string> =>
  chosen === undefined ? {} : { 'x-sim-fault': chosen };

/** The same request through a plain client and an instrumented one must settle the same way. */
async function sameThroughBoth(plain: () => unknown, wrapped: () => unknown): Promise<void> {
  calls++;
  const [expected, actual] = [await settle(plain), await settle(wrapped)];
  expect(actual).toEqual(expected);
}

describe('@agentmeter/llm wrappers under fuzzed requests and provider faults', () => {
  it('openai chat (JSON and stream): results and errors unchanged', async () => {
    const options = { apiKey: API_KEY, baseURL: `${sim.url}/v1`, maxRetries: 0, timeout: 10_000 };
    const plain = new OpenAI(options);
    const wrapped = instrumentOpenAI(new OpenAI(options), { meter, pricing: false });
    await fc.assert(
      fc.asyncProperty(model, content, fault, fc.boolean(), async (name, text, chosen, stream) => {
        const body = { model: name, messages: [{ role: 'user' as const, content: text }], stream };
        const request = { headers: headersFor(chosen) };
        await sameThroughBoth(
          () => plain.chat.completions.create(body, request),
          () => wrapped.chat.completions.create(body, request),
        );
      }),
      { numRuns: RUNS, seed: 11 + FUZZ_SEED },
    );
  });

  it('anthropic messages (JSON and stream): results and errors unchanged', async () => {
    const options = { apiKey: API_KEY, baseURL: sim.url, maxRetries: 0, timeout: 10_000 };
    const plain = new Anthropic(options);
    const wrapped = instrumentAnthropic(new Anthropic(options), { meter, pricing: false });
    await fc.assert(
      fc.asyncProperty(model, content, fault, fc.boolean(), async (name, text, chosen, stream) => {
        const body = { model: name, max_tokens: 64, messages: [{ role: 'user' as const, content: text }], stream };
        const request = { headers: headersFor(chosen) };
        await sameThroughBoth(
          () => plain.messages.create(body, request),
          () => wrapped.messages.create(body, request),
        );
      }),
      { numRuns: RUNS, seed: 12 + FUZZ_SEED },
    );
  });

  it('google generateContent (JSON and stream): results and errors unchanged', async () => {
    const options = { apiKey: API_KEY, httpOptions: { baseUrl: sim.url } };
    const plain = new GoogleGenAI(options);
    const wrapped = instrumentGoogleGenAI(new GoogleGenAI(options), { meter, pricing: false });
    await fc.assert(
      fc.asyncProperty(model, content, fault, fc.boolean(), async (name, text, chosen, stream) => {
        const params = { model: name, contents: text, config: { httpOptions: { headers: headersFor(chosen) } } };
        const method = stream ? 'generateContentStream' : 'generateContent';
        await sameThroughBoth(
          () => plain.models[method](params),
          () => wrapped.models[method](params),
        );
      }),
      { numRuns: RUNS, seed: 13 + FUZZ_SEED },
    );
  });

  it('instrumentLlmFunction: hands back what the function returns or throws, whatever the options read from it', async () => {
    // Results include async iterables, frozen ones too: the wrapper observes streams by replacing their iterator.
    const iterable = fc.boolean().map((frozen) => {
      const stream = {
        async *[Symbol.asyncIterator]() {
          yield { content: true };
        },
      };
      return frozen ? Object.freeze(stream) : stream;
    });
    const outcome = fc.record({
      kind: fc.constantFrom('return', 'throw', 'resolve', 'reject'),
      value: fc.oneof(hostileValue, iterable),
    });
    await fc.assert(
      fc.asyncProperty(outcome, hostileValue, hostileValue, async ({ kind, value }, usage, modelValue) => {
        // One promise per run, so the plain and the wrapped call hand back the same object.
        const promise =
          kind === 'reject' ? Promise.reject(value) : kind === 'resolve' ? Promise.resolve(value) : undefined;
        promise?.catch(() => undefined);
        const fn = (): unknown => {
          if (kind === 'throw') throw value;
          return promise ?? value;
        };
        const wrapped = instrumentLlmFunction(fn, {
          meter,
          pricing: false,
          provider: 'generic',
          model: () => modelValue,
          usage: () => usage as never,
          chunk: () => usage as never,
        });
        calls++;
        // The function hands back the same objects each time: the wrapper must return them, not copies.
        const [expected, actual] = [await settleByIdentity(fn), await settleByIdentity(wrapped)];
        expect(actual).toEqual(expected);
      }),
      { numRuns: RUNS * 20, seed: 14 + FUZZ_SEED },
    );
  });

  it('rejects bad options with a clear error at wrap time, never later', () => {
    const wrappers = [instrumentOpenAI, instrumentAnthropic, instrumentGoogleGenAI];
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 2),
        hostileValue,
        fc.record(
          {
            meter: fc.oneof(fc.constant(meter), hostileValue),
            provider: hostileValue,
            pricing: hostileValue,
            clock: hostileValue,
            genAiMetrics: hostileValue,
          },
          { requiredKeys: [] },
        ),
        (index, client, options) => {
          calls++;
          try {
            wrappers[index]!(client as never, options as never);
          } catch (error) {
            expect(
              error instanceof Error && (error.name === 'AgentMeterConfigError' || isOwnThrow(error)),
              String(error),
            ).toBe(true);
          }
        },
      ),
      { numRuns: RUNS * 20, seed: 15 + FUZZ_SEED },
    );
  });

  it('exports no NaN, no series past the limit, no key or prompt in a label, and only taxonomy error types', async () => {
    const snapshot = await reader.collect();
    expect(dataProblems(snapshot, SERIES_LIMIT)).toEqual([]);
    for (const metric of snapshot.metrics) {
      for (const point of metric.dataPoints) {
        const errorType = point.attributes['error_type'];
        if (errorType !== undefined) expect(ERROR_TYPES).toContain(errorType);
      }
    }
    expect(snapshot.points('agentmeter.llm.requests').length).toBeGreaterThan(3);
    expect(captured.problems()).toEqual([]);
  });
});
