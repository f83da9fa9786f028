import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { LLMResult } from '@langchain/core/outputs';
import { finishReasonLabel, shortLabel, toolLabel } from '../labels.ts';
import { createRecorder, type LlmInstrumentOptions } from '../options.ts';
import type { LlmCallState, LlmRecorder } from '../recorder.ts';
import { startToolRun, type ToolRun } from '../tool-runs.ts';
import { langChainLlmOutputUsage, langChainUsage } from './usage.ts';

/** Options of the LangChain.js handler: as every wrapper's, with `provider` read from the model by default. */
export type LangChainInstrumentOptions = LlmInstrumentOptions;

type Loose = Record<string, unknown>;
/** Runs in flight beyond this are not tracked (a run whose end never comes must not grow memory). */
const MAX_RUNS = 10_000;

interface ModelRun {
  readonly call: LlmCallState;
  streamed: boolean;
}

function object(value: unknown): Loose | undefined {
  return typeof value === 'object' && value !== null ? (value as Loose) : undefined;
}

/** `openai` from metadata `ls_provider`, or from the class path `["langchain", "chat_models", "openai", "ChatOpenAI"]`. */
function providerOf(llm: Serialized, metadata: Loose | undefined): string {
  const path = (llm as { id?: unknown }).id;
  return shortLabel(metadata?.ls_provider) ?? (Array.isArray(path) ? shortLabel(path[2]) : undefined) ?? 'unknown';
}

function modelOf(metadata: Loose | undefined, extraParams: Loose | undefined): unknown {
  const params = object(extraParams?.invocation_params);
  return metadata?.ls_model_name ?? params?.model ?? params?.model_name ?? params?.modelName;
}

/**
 * A @langchain/core callback handler that records every LLM and chat-model run (latency, time to
 * first token when streamed, tokens by type, cost, errors, tool calls, steps by finish reason)
 * and every tool run, on agentmeter's llm families. Pass it in `callbacks` of a model, chain,
 * agent or one call. It never throws into LangChain: `raiseError` is false.
 */
export class AgentmeterCallbackHandler extends BaseCallbackHandler {
  name = 'agentmeter';
  readonly #recorder: LlmRecorder;
  readonly #provider: string | undefined;
  readonly #models = new Map<string, ModelRun>();
  readonly #tools = new Map<string, ToolRun>();

  constructor(options: LangChainInstrumentOptions) {
    // Awaited inline: the handler's work is synchronous and small, and the first token is timed when it comes.
    super({ raiseError: false });
    const { recorder } = createRecorder('AgentmeterCallbackHandler', options, 'unknown');
    this.#recorder = recorder;
    this.#provider = options.provider;
    this.awaitHandlers = true;
  }

  #startModel(
    llm: Serialized,
    runId: string,
    operation: string,
    extraParams: Loose | undefined,
    metadata: Loose | undefined,
  ): void {
    try {
      if (this.#models.size >= MAX_RUNS) return;
      const call = this.#recorder.start(
        this.#provider ?? providerOf(llm, metadata),
        modelOf(metadata, extraParams),
        operation,
      );
      this.#models.set(runId, { call, streamed: false });
    } catch {
      // Recording never reaches LangChain.
    }
  }

  override handleChatModelStart(
    llm: Serialized,
    _messages: unknown,
    runId: string,
    _parent?: string,
    extraParams?: Loose,
    _tags?: string[],
    metadata?: Loose,
  ): void {
    this.#startModel(llm, runId, 'chat', extraParams, metadata);
  }

  override handleLLMStart(
    llm: Serialized,
    _prompts: string[],
    runId: string,
    _parent?: string,
    extraParams?: Loose,
    _tags?: string[],
    metadata?: Loose,
  ): void {
    this.#startModel(llm, runId, 'completion', extraParams, metadata);
  }

  override handleLLMNewToken(
    token: string,
    _idx: unknown,
    runId: string,
    _parent?: string,
    _tags?: string[],
    fields?: { chunk?: unknown },
  ): void {
    const run = this.#models.get(runId);
    if (run === undefined) return;
    run.streamed = true;
    const message = object(object(fields?.chunk)?.message);
    const toolChunks = message?.tool_call_chunks;
    if (token !== '' || (Array.isArray(toolChunks) && toolChunks.length > 0)) run.call.outputChunk();
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    const run = this.#models.get(runId);
    if (run === undefined) return;
    this.#models.delete(runId);
    const { call } = run;
    try {
      readOutput(output, call);
    } catch {
      // An output of a surprising shape loses its usage, never the run.
    }
    call.end();
  }

  override handleLLMError(error: unknown, runId: string): void {
    const run = this.#models.get(runId);
    if (run === undefined) return;
    this.#models.delete(runId);
    run.call.fail(error, run.streamed ? 'body' : 'request');
  }

  override handleToolStart(
    tool: Serialized,
    _input: string,
    runId: string,
    _parent?: string,
    _tags?: string[],
    _metadata?: Loose,
    runName?: string,
  ): void {
    if (this.#tools.size >= MAX_RUNS) return;
    const path = (tool as { id?: unknown }).id;
    const name = runName ?? (tool as { name?: unknown }).name ?? (Array.isArray(path) ? path.at(-1) : undefined);
    this.#tools.set(runId, startToolRun(this.#recorder.meter, this.#recorder.clock, name));
  }

  override handleToolEnd(_output: unknown, runId: string): void {
    this.#tools.get(runId)?.end();
    this.#tools.delete(runId);
  }

  override handleToolError(error: unknown, runId: string): void {
    this.#tools.get(runId)?.end(error ?? 'other');
    this.#tools.delete(runId);
  }
}

/** Usage, the answering model, tool calls and the finish reason from a run's output. */
function readOutput(output: LLMResult, call: LlmCallState): void {
  const first = output.generations?.[0]?.[0] as Loose | undefined;
  const message = object(first?.message);
  call.usage = langChainUsage(message?.usage_metadata) ?? langChainLlmOutputUsage(output.llmOutput) ?? call.usage;
  const response = object(message?.response_metadata);
  const model = response?.model_name ?? response?.model;
  if (typeof model === 'string') call.responseModel = model;
  const toolCalls = message?.tool_calls;
  if (Array.isArray(toolCalls)) {
    for (const toolCall of toolCalls) call.toolCall(toolLabel(object(toolCall)?.name));
  }
  const info = object(first?.generationInfo);
  call.step(
    finishReasonLabel(info?.finish_reason ?? response?.finish_reason ?? response?.stop_reason ?? info?.stop_reason),
  );
}
