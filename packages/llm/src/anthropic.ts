import { claimClient } from '@agentmeter/core/internal';
import type { ResponseHandlers } from './observe.ts';
import { createRecorder, type LlmInstrumentOptions } from './options.ts';
import { type MethodPath, patchMethod, requireMethods } from './patch.ts';
import { wrapCreate } from './stainless.ts';
import { anthropicUsage } from './usage.ts';

type Loose = Record<string, unknown>;

const MESSAGES: ResponseHandlers = {
  json(data, call) {
    const message = data as Loose;
    call.usage = anthropicUsage(message.usage);
    if (typeof message.model === 'string') call.responseModel = message.model;
  },
  event(event, call) {
    const e = event as Loose;
    switch (e.type) {
      case 'message_start': {
        const message = e.message as Loose | undefined;
        call.usage = anthropicUsage(message?.usage);
        if (typeof message?.model === 'string') call.responseModel = message.model;
        break;
      }
      case 'content_block_delta':
        call.outputChunk();
        break;
      case 'message_delta':
        // Counts in message_delta are cumulative: they replace those of message_start.
        call.usage = anthropicUsage(e.usage, call.usage);
        break;
      case 'message_stop':
        call.completed = true;
        break;
    }
  },
};

/** The beta surface speaks the same protocol; its stream() runs through its create() too. */
const METHODS: readonly MethodPath[] = [
  ['messages', 'create'],
  ['beta', 'messages', 'create'],
];

/**
 * Instruments an `@anthropic-ai/sdk` client in place and returns it: messages.create, streamed or
 * not, and messages.stream (which runs through messages.create, so its MessageStream, events and
 * finalMessage() are the SDK's own); the same for beta.messages.
 */
export function instrumentAnthropic<Client extends object>(client: Client, options: LlmInstrumentOptions): Client {
  const fn = 'instrumentAnthropic';
  const present = requireMethods(
    fn,
    client,
    METHODS,
    'an Anthropic client (new Anthropic() from the "@anthropic-ai/sdk" package)',
  );
  const { recorder, provider } = createRecorder(fn, options, 'anthropic');
  if (!claimClient(client, fn, options)) return client;
  for (const path of present) patchMethod(client, path, wrapCreate(recorder, provider, 'chat', MESSAGES));
  return client;
}
