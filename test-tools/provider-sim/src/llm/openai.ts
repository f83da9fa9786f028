import type { SimToolCall } from './tools.ts';
import { answerJson, answerStream, chunksOf, type Exchange, frame, type SimUsage } from './respond.ts';

/** What the simulator answers one call with. */
export interface SimReply {
  readonly id: string;
  readonly model: string;
  readonly text: string;
  readonly usage: SimUsage;
  /** Set when the model calls a tool instead of answering (see `toolCallFor`). */
  readonly toolCall?: SimToolCall;
}

const CREATED = 1_750_000_000;

function openaiError(status: number): unknown {
  const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message: `Simulated ${status}`, type, param: null, code: type } };
}

/** Prompt tokens as OpenAI counts them: every input token, cache reads and writes included. */
const promptTokens = (u: SimUsage): number => u.input + u.cached_input + u.cache_write;
/** OpenAI reports cache writes only on models that bill them. */
const writes = (u: SimUsage): Record<string, number> =>
  u.cache_write > 0 ? { cache_write_tokens: u.cache_write } : {};

function chatUsage(u: SimUsage): unknown {
  return {
    prompt_tokens: promptTokens(u),
    completion_tokens: u.output,
    total_tokens: promptTokens(u) + u.output,
    prompt_tokens_details: { cached_tokens: u.cached_input, audio_tokens: u.input_audio, ...writes(u) },
    completion_tokens_details: {
      reasoning_tokens: u.reasoning,
      audio_tokens: u.output_audio,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function responsesUsage(u: SimUsage): unknown {
  return {
    input_tokens: promptTokens(u),
    input_tokens_details: { cached_tokens: u.cached_input, ...writes(u) },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: promptTokens(u) + u.output,
  };
}

const CHAT_BROKEN = {
  malformed: 'data: {"id": "broken", "choices": [\n\n',
  errorEvent: frame({
    error: { message: 'Simulated overload', type: 'server_error', param: null, code: 'server_error' },
  }),
};
const RESPONSES_BROKEN = {
  malformed: 'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", \n\n',
  errorEvent: frame(
    { type: 'error', code: 'rate_limit_exceeded', message: 'Simulated rate limit', param: null, sequence_number: 99 },
    'error',
  ),
};

/** POST /v1/chat/completions, JSON or SSE (with the usage chunk when `stream_options.include_usage`). */
export function chatCompletions(ex: Exchange, body: Record<string, unknown>, reply: SimReply): Promise<void> {
  const base = {
    id: reply.id,
    created: CREATED,
    model: reply.model,
    system_fingerprint: 'fp_sim',
    service_tier: 'default',
  };
  const call = reply.toolCall;
  const toolCalls =
    call === undefined
      ? undefined
      : [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }];
  const finishReason = call === undefined ? 'stop' : 'tool_calls';
  if (body.stream !== true) {
    const message =
      call === undefined
        ? { role: 'assistant', content: reply.text, refusal: null, annotations: [] }
        : { role: 'assistant', content: null, refusal: null, annotations: [], tool_calls: toolCalls };
    return answerJson(
      ex,
      {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
        usage: chatUsage(reply.usage),
      },
      openaiError,
    );
  }
  const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const chunk = (delta: unknown, finish: string | null): string =>
    frame({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });
  const frames = [
    chunk({ role: 'assistant', content: '', refusal: null }, null),
    ...(toolCalls === undefined
      ? chunksOf(reply.text).map((text) => chunk({ content: text }, null))
      : [chunk({ tool_calls: toolCalls.map((tool, index) => ({ index, ...tool })) }, null)]),
    chunk({}, finishReason),
  ];
  if (includeUsage)
    frames.push(frame({ ...base, object: 'chat.completion.chunk', choices: [], usage: chatUsage(reply.usage) }));
  frames.push(frame('[DONE]'));
  return answerStream(ex, frames, openaiError, CHAT_BROKEN);
}

/** POST /v1/responses, JSON or SSE typed events ending in `response.completed` with usage. */
export function responses(ex: Exchange, body: Record<string, unknown>, reply: SimReply): Promise<void> {
  const itemId = `msg_${reply.id}`;
  const call = reply.toolCall;
  const item =
    call === undefined
      ? {
          type: 'message',
          id: itemId,
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: reply.text, annotations: [] }],
        }
      : {
          type: 'function_call',
          id: `fc_${reply.id}`,
          call_id: call.id,
          name: call.name,
          arguments: call.arguments,
          status: 'completed',
        };
  const response = (status: string, withOutput: boolean): Record<string, unknown> => ({
    id: `resp_${reply.id}`,
    object: 'response',
    created_at: CREATED,
    status,
    model: reply.model,
    error: null,
    incomplete_details: null,
    instructions: null,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    output: withOutput ? [item] : [],
    usage: withOutput ? responsesUsage(reply.usage) : null,
  });
  if (body.stream !== true) return answerJson(ex, response('completed', true), openaiError);
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>): string =>
    frame({ type, sequence_number: sequence++, ...data }, type);
  const part = { type: 'output_text', text: '', annotations: [] };
  if (call !== undefined) {
    return answerStream(
      ex,
      [
        event('response.created', { response: response('in_progress', false) }),
        event('response.output_item.added', {
          output_index: 0,
          item: { ...item, arguments: '', status: 'in_progress' },
        }),
        event('response.function_call_arguments.delta', { item_id: item.id, output_index: 0, delta: call.arguments }),
        event('response.function_call_arguments.done', {
          item_id: item.id,
          output_index: 0,
          arguments: call.arguments,
        }),
        event('response.output_item.done', { output_index: 0, item }),
        event('response.completed', { response: response('completed', true) }),
      ],
      openaiError,
      RESPONSES_BROKEN,
    );
  }
  const frames = [
    event('response.created', { response: response('in_progress', false) }),
    event('response.in_progress', { response: response('in_progress', false) }),
    event('response.output_item.added', {
      output_index: 0,
      item: { type: 'message', id: itemId, status: 'in_progress', role: 'assistant', content: [] },
    }),
    event('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part }),
    ...chunksOf(reply.text).map((delta) =>
      event('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta, logprobs: [] }),
    ),
    event('response.output_text.done', {
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      text: reply.text,
      logprobs: [],
    }),
    event('response.content_part.done', {
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      part: { ...part, text: reply.text },
    }),
    event('response.output_item.done', { output_index: 0, item }),
    event('response.completed', { response: response('completed', true) }),
  ];
  return answerStream(ex, frames, openaiError, RESPONSES_BROKEN);
}

/** POST /v1/embeddings; answers base64 when asked (the SDK's default) or float arrays. */
export function embeddings(ex: Exchange, body: Record<string, unknown>, reply: SimReply): Promise<void> {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const vector = Float32Array.from([0.25, -0.5, 0.75, 1]);
  const encoded =
    body.encoding_format === 'base64' ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector);
  return answerJson(
    ex,
    {
      object: 'list',
      data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: encoded })),
      model: reply.model,
      usage: { prompt_tokens: reply.usage.input, total_tokens: reply.usage.input },
    },
    openaiError,
  );
}
