import { claimClient } from '@agentmeter/core/internal';
import type { LlmCallState } from './recorder.ts';
import type { ResponseHandlers } from './observe.ts';
import { createRecorder, type LlmInstrumentOptions } from './options.ts';
import { type MethodPath, patchMethod, requireMethods } from './patch.ts';
import { providerFromBaseURL } from './providers.ts';
import { wrapCreate } from './stainless.ts';
import { openAIChatUsage, openAIEmbeddingsUsage, openAIResponsesUsage } from './usage.ts';
import { classifyLlmError } from './classify.ts';

type Loose = Record<string, unknown>;

function modelOf(data: unknown): string | undefined {
  const model = (data as Loose | null)?.model;
  return typeof model === 'string' ? model : undefined;
}

export const CHAT: ResponseHandlers = {
  json(data, call) {
    call.usage = openAIChatUsage((data as Loose).usage);
    call.responseModel = modelOf(data);
  },
  event(chunk, call) {
    const c = chunk as Loose;
    const choices = c.choices;
    if (Array.isArray(choices)) {
      for (const choice of choices as Loose[]) {
        const delta = choice.delta as Loose | undefined;
        if (
          delta !== undefined &&
          delta !== null &&
          ((typeof delta.content === 'string' && delta.content !== '') ||
            Array.isArray(delta.tool_calls) ||
            (typeof delta.refusal === 'string' && delta.refusal !== ''))
        ) {
          call.outputChunk();
        }
        if (typeof choice.finish_reason === 'string') call.completed = true;
      }
    }
    if (c.usage !== null && c.usage !== undefined) {
      call.usage = openAIChatUsage(c.usage);
      call.completed = true;
    }
    call.responseModel ??= modelOf(c);
  },
};

function failedResponse(response: Loose | undefined, call: LlmCallState): void {
  call.usage = openAIResponsesUsage(response?.usage) ?? call.usage;
  call.failWith(classifyLlmError({ error: response?.error }, 'body'));
}

const RESPONSES: ResponseHandlers = {
  json(data, call) {
    call.usage = openAIResponsesUsage((data as Loose).usage);
    call.responseModel = modelOf(data);
  },
  event(event, call) {
    const e = event as Loose;
    const type = e.type;
    if (typeof type !== 'string') return;
    if (type.endsWith('.delta')) {
      call.outputChunk();
      return;
    }
    const response = e.response as Loose | undefined;
    if (type === 'response.completed' || type === 'response.incomplete') {
      call.usage = openAIResponsesUsage(response?.usage);
      call.responseModel = modelOf(response);
      call.completed = true;
    } else if (type === 'response.failed') {
      failedResponse(response, call);
    }
  },
};

const EMBEDDINGS: ResponseHandlers = {
  json(data, call) {
    call.usage = openAIEmbeddingsUsage((data as Loose).usage);
    call.responseModel = modelOf(data);
  },
  event() {},
};

const METHODS: readonly (readonly [MethodPath, string, ResponseHandlers])[] = [
  [['chat', 'completions', 'create'], 'chat', CHAT],
  [['responses', 'create'], 'responses', RESPONSES],
  [['embeddings', 'create'], 'embeddings', EMBEDDINGS],
];

/**
 * Instruments an `openai` client (or AzureOpenAI, or any OpenAI-compatible endpoint through
 * `baseURL`) in place and returns it: chat.completions.create, responses.create and
 * embeddings.create, streamed or not. The client keeps its type and behaviour.
 */
export function instrumentOpenAI<Client extends object>(client: Client, options: LlmInstrumentOptions): Client {
  const fn = 'instrumentOpenAI';
  const present = requireMethods(
    fn,
    client,
    METHODS.map(([path]) => path),
    'an OpenAI client (new OpenAI() from the "openai" package)',
  );
  const { recorder, provider } = createRecorder(
    fn,
    options,
    providerFromBaseURL((client as { baseURL?: unknown }).baseURL),
  );
  if (!claimClient(client, fn, options)) return client;
  for (const [path, operation, handlers] of METHODS) {
    if (present.includes(path)) patchMethod(client, path, wrapCreate(recorder, provider, operation, handlers));
  }
  return client;
}
