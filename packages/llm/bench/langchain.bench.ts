import { createAgentMeter, createPricingTable } from '@agentmeter/core';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { type AsyncComparison, compareAsync } from '../../../scripts/bench-async.ts';
import { fmt, table } from '../../../scripts/bench-kit.ts';
import { AgentmeterCallbackHandler } from '../src/langchain/index.ts';

function row(name: string, c: AsyncComparison): string[] {
  return [name, fmt(c.plain, 1), fmt(c.wrapped, 1), `${fmt(c.delta, 1)} (${fmt(c.low, 1)} … ${fmt(c.high, 1)})`];
}

/** Per-run cost of the LangChain.js handler: a chat model that answers at once, with and without it. */
export async function run(): Promise<string> {
  const meter = createAgentMeter();
  const handler = new AgentmeterCallbackHandler({
    meter,
    provider: 'openai',
    pricing: createPricingTable(undefined, { file: false }),
  });
  const model = new FakeListChatModel({ responses: ['hello there'] });
  const invoked = await compareAsync(
    () => model.invoke('hi'),
    () => model.invoke('hi', { callbacks: [handler] }),
    500,
    8,
  );
  // LangChain's own callback work, with a handler that does nothing inline, as the baseline of ours.
  const noop = BaseCallbackHandler.fromMethods({ handleLLMEnd() {} });
  noop.awaitHandlers = true;
  const versusNoop = await compareAsync(
    () => model.invoke('hi', { callbacks: [noop] }),
    () => model.invoke('hi', { callbacks: [handler] }),
    500,
    8,
  );
  const drain = async (callbacks: BaseCallbackHandler[]): Promise<void> => {
    for await (const _ of await model.stream('hi', { callbacks })) {
      /* drain */
    }
  };
  const streamed = await compareAsync(
    () => drain([]),
    () => drain([handler]),
    300,
    8,
  );
  return [
    '### LangChain.js handler overhead (@agentmeter/llm/langchain)',
    '',
    'The real `@langchain/core` with its `FakeListChatModel` (answers at once), without and with',
    '`AgentmeterCallbackHandler`; wall time per awaited call, rounds alternating, the overhead the',
    "median of the per-round differences (it includes LangChain's own callback-manager work, which a",
    'run without any handler skips):',
    '',
    table(
      ['call', 'plain µs/call', 'with handler µs/call', 'overhead µs/call'],
      [
        row('invoke (500 calls x 8 rounds)', invoked),
        row("invoke with a no-op inline handler vs with agentmeter's: the handler's own cost (500 x 8)", versusNoop),
        row('stream, 11 one-character chunks, drained (300 x 8)', streamed),
      ],
    ),
    '',
  ].join('\n');
}
