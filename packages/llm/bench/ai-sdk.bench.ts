import { createAgentMeter, createPricingTable } from '@agentmeter/core';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { type AsyncComparison, compareAsync } from '../../../scripts/bench-async.ts';
import { fmt, table } from '../../../scripts/bench-kit.ts';
import { agentmeterMiddleware } from '../src/ai-sdk/index.ts';

const USAGE = {
  inputTokens: { total: 12, noCache: 10, cacheRead: 2, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};
const FINISH = { unified: 'stop' as const, raw: 'stop' };

/** A language model (specification v4) that answers at once: the AI SDK's own work, no network. */
const instant = {
  specificationVersion: 'v4' as const,
  provider: 'openai.responses',
  modelId: 'gpt-4o-mini',
  supportedUrls: {},
  doGenerate: async () => ({
    content: [{ type: 'text' as const, text: 'hello' }],
    finishReason: FINISH,
    usage: USAGE,
    warnings: [],
  }),
  doStream: async () => ({
    stream: new ReadableStream({
      start(controller) {
        controller.enqueue({ type: 'stream-start', warnings: [] });
        controller.enqueue({ type: 'text-start', id: '1' });
        for (const delta of ['one', ' two', ' three', ' four', ' five'])
          controller.enqueue({ type: 'text-delta', id: '1', delta });
        controller.enqueue({ type: 'text-end', id: '1' });
        controller.enqueue({ type: 'finish', usage: USAGE, finishReason: FINISH });
        controller.close();
      },
    }),
  }),
};

async function drain(result: PromiseLike<{ stream: ReadableStream<unknown> }>): Promise<void> {
  const reader = (await result).stream.getReader();
  while (!(await reader.read()).done) {
    /* drain */
  }
}

function row(name: string, c: AsyncComparison): string[] {
  return [name, fmt(c.plain, 1), fmt(c.wrapped, 1), `${fmt(c.delta, 1)} (${fmt(c.low, 1)} … ${fmt(c.high, 1)})`];
}

/** Per-call cost of the AI SDK middleware: generateText and streamText around an instant model. */
export async function run(): Promise<string> {
  const meter = createAgentMeter();
  const middleware = agentmeterMiddleware({ meter, pricing: createPricingTable(undefined, { file: false }) });
  const plain = wrapLanguageModel({ model: instant, middleware: [] });
  const wrapped = wrapLanguageModel({ model: instant, middleware });
  const generate = (model: typeof plain) => () => generateText({ model, prompt: 'hi' });
  const stream = (model: typeof plain) => async () => {
    for await (const _ of streamText({ model, prompt: 'hi' }).textStream) {
      /* drain */
    }
  };
  const generated = await compareAsync(generate(plain), generate(wrapped), 500, 8);
  const streamed = await compareAsync(stream(plain), stream(wrapped), 200, 8);
  // The middleware alone: its wrapGenerate and wrapStream around the instant model, no AI SDK.
  const params = { prompt: [] };
  const doGenerate = async () => instant.doGenerate();
  const doStream = async () => instant.doStream();
  const alone = await compareAsync(
    doGenerate,
    async () => middleware.wrapGenerate!({ doGenerate, doStream, params, model: instant } as never),
    20_000,
    8,
  );
  const aloneStream = await compareAsync(
    () => drain(doStream()),
    () => drain(middleware.wrapStream!({ doGenerate, doStream, params, model: instant } as never)),
    5_000,
    8,
  );
  return [
    '### AI SDK middleware overhead (@agentmeter/llm/ai-sdk)',
    '',
    'The real `ai` package around a model that answers at once, with no middleware and with',
    '`agentmeterMiddleware` (latency, first token, request, 4 token counters, cost, step); wall time per',
    'awaited call, rounds alternating, the overhead the median of the per-round differences:',
    '',
    table(
      ['call', 'plain µs/call', 'instrumented µs/call', 'overhead µs/call'],
      [
        row('generateText (500 calls x 8 rounds)', generated),
        row('streamText, 5 text deltas, drained (200 x 8)', streamed),
        row('the middleware alone: wrapGenerate vs the bare doGenerate (20,000 x 8)', alone),
        row('the middleware alone: wrapStream vs the bare doStream, 10 parts drained (5,000 x 8)', aloneStream),
      ],
    ),
    '',
    "The first two rows spread widely on a shared machine (the AI SDK's own work per call is large and",
    "noisy); the last two resolve the middleware's own cost. A real provider call adds hundreds of",
    'milliseconds of network and model time.',
    '',
  ].join('\n');
}
