import type { SimReply } from './openai.ts';
import { answerJson, answerStream, chunksOf, type Exchange, frame } from './respond.ts';

function anthropicError(status: number): unknown {
  const type =
    status === 429
      ? 'rate_limit_error'
      : status === 529
        ? 'overloaded_error'
        : status >= 500
          ? 'api_error'
          : status === 401
            ? 'authentication_error'
            : 'invalid_request_error';
  return { type: 'error', error: { type, message: `Simulated ${status}` } };
}

/** POST /v1/messages: a Message, or the SSE event sequence message_start ... message_stop. */
export function messages(ex: Exchange, body: Record<string, unknown>, reply: SimReply): Promise<void> {
  const { usage } = reply;
  // input_tokens exclude cache reads and writes; thinking tokens are part of output_tokens.
  const cacheUsage = {
    input_tokens: usage.input,
    cache_creation_input_tokens: usage.cache_write,
    cache_read_input_tokens: usage.cached_input,
    cache_creation: { ephemeral_5m_input_tokens: usage.cache_write, ephemeral_1h_input_tokens: 0 },
  };
  const details = usage.reasoning > 0 ? { thinking_tokens: usage.reasoning } : null;
  const message = (
    content: unknown[],
    stop: string | null,
    outputTokens: number,
    outputDetails: unknown,
  ): Record<string, unknown> => ({
    id: `msg_${reply.id}`,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: {
      ...cacheUsage,
      output_tokens: outputTokens,
      output_tokens_details: outputDetails,
      service_tier: 'standard',
    },
  });
  const call = reply.toolCall;
  const stop = call === undefined ? 'end_turn' : 'tool_use';
  if (body.stream !== true) {
    const content =
      call === undefined
        ? [{ type: 'text', text: reply.text }]
        : [{ type: 'tool_use', id: call.id, name: call.name, input: JSON.parse(call.arguments) as unknown }];
    return answerJson(ex, message(content, stop, usage.output, details), anthropicError);
  }
  const block =
    call === undefined
      ? [
          frame(
            { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
            'content_block_start',
          ),
          frame({ type: 'ping' }, 'ping'),
          ...chunksOf(reply.text).map((text) =>
            frame(
              { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
              'content_block_delta',
            ),
          ),
        ]
      : [
          frame(
            {
              type: 'content_block_start',
              index: 0,
              content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
            },
            'content_block_start',
          ),
          frame(
            {
              type: 'content_block_delta',
              index: 0,
              delta: { type: 'input_json_delta', partial_json: call.arguments },
            },
            'content_block_delta',
          ),
        ];
  const frames = [
    frame({ type: 'message_start', message: message([], null, 1, null) }, 'message_start'),
    ...block,
    frame({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    frame(
      {
        type: 'message_delta',
        delta: { stop_reason: stop, stop_sequence: null },
        usage: { ...cacheUsage, output_tokens: usage.output, output_tokens_details: details },
      },
      'message_delta',
    ),
    frame({ type: 'message_stop' }, 'message_stop'),
  ];
  return answerStream(ex, frames, anthropicError, {
    malformed: 'event: content_block_delta\ndata: {"type": "content_block_delta", "index": \n\n',
    errorEvent: frame({ type: 'error', error: { type: 'overloaded_error', message: 'Simulated overload' } }, 'error'),
  });
}
