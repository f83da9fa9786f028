import type { EmbeddingModelMiddleware, LanguageModelMiddleware } from 'ai';
import { finishReasonLabel, shortLabel, toolLabel } from '../labels.ts';
import { createRecorder, type LlmInstrumentOptions } from '../options.ts';
import type { LlmCallState, LlmRecorder } from '../recorder.ts';
import { aiSdkEmbeddingUsage, aiSdkUsage } from './usage.ts';

/** Options of the AI SDK middleware: as every wrapper's, with `provider` read from the model by default. */
export type AiSdkInstrumentOptions = LlmInstrumentOptions;

type Loose = Record<string, unknown>;
type StreamResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware['wrapStream']>>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer Part> ? Part : never;

/** Operations named after the AI SDK provider's API (`openai.responses`, `anthropic.messages`); others are `chat`. */
const OPERATIONS = new Set(['chat', 'responses', 'messages', 'completion']);

interface Labels {
  readonly provider: string;
  readonly operation: string;
}

/**
 * Provider and operation from the model's `provider` id (`openai.responses` is provider `openai`,
 * operation `responses`); a fixed `provider` option wins over the id.
 */
function labelsOf(model: unknown, fixedProvider: string | undefined, embedding: boolean): Labels {
  const id = typeof (model as Loose | null)?.provider === 'string' ? ((model as Loose).provider as string) : '';
  const [head = '', tail = ''] = id.split('.', 2);
  const operation = embedding ? 'embeddings' : OPERATIONS.has(tail) ? tail : 'chat';
  return { provider: fixedProvider ?? shortLabel(head) ?? 'unknown', operation };
}

function modelIdOf(model: unknown): unknown {
  return (model as Loose | null)?.modelId;
}

function start(
  recorder: LlmRecorder,
  model: unknown,
  fixedProvider: string | undefined,
  embedding: boolean,
): LlmCallState | undefined {
  try {
    const { provider, operation } = labelsOf(model, fixedProvider, embedding);
    return recorder.start(provider, modelIdOf(model), operation);
  } catch {
    return undefined;
  }
}

/** Runs a non-streamed call: its failure is classified, its result read (never failing the call), then recorded. */
async function recordCall<Result>(
  call: LlmCallState,
  run: () => PromiseLike<Result>,
  read: (result: Result) => void,
): Promise<Result> {
  let result: Result;
  try {
    result = await run();
  } catch (error) {
    call.fail(error, 'request');
    throw error;
  }
  try {
    read(result);
  } catch {
    // A result of a surprising shape loses its usage, never the caller's data.
  }
  call.end();
  return result;
}

/** Reads what a generate result or a `finish` part says: usage, finish reason, the answering model. */
function readResult(result: Loose, call: LlmCallState): void {
  call.usage = aiSdkUsage(result.usage) ?? call.usage;
  const reason = result.finishReason;
  call.step(finishReasonLabel(typeof reason === 'object' && reason !== null ? (reason as Loose).unified : reason));
  const modelId = (result.response as Loose | undefined)?.modelId;
  if (typeof modelId === 'string') call.responseModel = modelId;
}

/** Feeds one stream part to the call: content marks the first token, `finish` completes it. */
function onPart(part: StreamPart, call: LlmCallState): void {
  const p = part as Loose;
  switch (p.type) {
    case 'text-delta':
    case 'reasoning-delta':
      if (typeof p.delta === 'string' && p.delta !== '') call.outputChunk();
      break;
    case 'tool-input-start':
    case 'file':
      call.outputChunk();
      break;
    case 'tool-call':
      call.outputChunk();
      call.toolCall(toolLabel(p.toolName));
      break;
    case 'response-metadata':
      if (typeof p.modelId === 'string') call.responseModel = p.modelId;
      break;
    case 'finish':
      readResult(p, call);
      call.completed = true;
      break;
    case 'error':
      call.fail(p.error, 'body');
      break;
    default:
  }
}

/**
 * The same parts in a new stream that observes them: its end records the call (success after the
 * `finish` part, `stream_error` without it), a read error records the error, a cancel `cancelled`.
 */
function observeStream(
  source: ReadableStream<StreamPart>,
  call: LlmCallState,
  signal: AbortSignal | undefined,
): ReadableStream<StreamPart> {
  const reader = source.getReader();
  // A caller who aborts may stop reading too: the abort itself records the cancel.
  const onAbort = (): void => {
    if (!call.completed) call.failWith('cancelled');
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const done = (): void => signal?.removeEventListener('abort', onAbort);
  return new ReadableStream<StreamPart>({
    async pull(controller) {
      let step: Awaited<ReturnType<typeof reader.read>>;
      try {
        step = await reader.read();
      } catch (error) {
        call.fail(error, 'body');
        done();
        throw error;
      }
      if (step.done) {
        done();
        if (call.completed) call.end();
        else call.failWith('stream_error');
        controller.close();
        return;
      }
      try {
        onPart(step.value, call);
      } catch {
        // A part of a surprising shape is passed on unobserved.
      }
      controller.enqueue(step.value);
    },
    cancel(reason) {
      done();
      if (call.completed) call.end();
      else call.failWith('cancelled');
      return reader.cancel(reason);
    },
  });
}

/**
 * An AI SDK language-model middleware that records every call of the wrapped model (generateText,
 * streamText, generateObject, streamObject, agents): latency, time to first token of streams,
 * tokens by type, cost, errors in the shared taxonomy, tool calls and steps by finish reason.
 * `wrapLanguageModel({ model, middleware: agentmeterMiddleware({ meter }) })`.
 */
export function agentmeterMiddleware(options: AiSdkInstrumentOptions): LanguageModelMiddleware {
  const { recorder } = createRecorder('agentmeterMiddleware', options, 'unknown');
  const fixedProvider = options.provider;
  return {
    specificationVersion: 'v4',
    async wrapGenerate({ doGenerate, model }) {
      const call = start(recorder, model, fixedProvider, false);
      if (call === undefined) return doGenerate();
      return recordCall(call, doGenerate, (result) => {
        readResult(result as unknown as Loose, call);
        for (const part of result.content ?? []) {
          if (part.type === 'tool-call') call.toolCall(toolLabel(part.toolName));
        }
      });
    },
    async wrapStream({ doStream, model, params }) {
      const call = start(recorder, model, fixedProvider, false);
      if (call === undefined) return doStream();
      let result: StreamResult;
      try {
        result = await doStream();
      } catch (error) {
        call.fail(error, 'request');
        throw error;
      }
      try {
        return { ...result, stream: observeStream(result.stream, call, params.abortSignal) };
      } catch {
        return result;
      }
    },
  };
}

/** An AI SDK embedding-model middleware (embed, embedMany): latency, input tokens, cost, errors. */
export function agentmeterEmbeddingMiddleware(options: AiSdkInstrumentOptions): EmbeddingModelMiddleware {
  const { recorder } = createRecorder('agentmeterEmbeddingMiddleware', options, 'unknown');
  const fixedProvider = options.provider;
  return {
    specificationVersion: 'v4',
    async wrapEmbed({ doEmbed, model }) {
      const call = start(recorder, model, fixedProvider, true);
      if (call === undefined) return doEmbed();
      return recordCall(call, doEmbed, (result) => {
        call.usage = aiSdkEmbeddingUsage(result.usage);
      });
    },
  };
}
