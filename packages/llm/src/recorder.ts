import {
  type AgentMeter, type BoundCounter, type BoundHistogram, COST_TYPES, type CostType, type ErrorType, type PriceEntry,
  type PricingTable, type RecordAttributes, TOKEN_TYPES, tokenCosts, type TokenType, type TokenUsage,
} from '@agentmeter/core';
import type { GenAiMetrics } from '@agentmeter/core/internal';
import { classifyLlmError, type FailurePhase } from './classify.ts';

/** Why a model call ended, as the `finish_reason` label of `llm.steps` (frameworks' reasons map onto these). */
export const FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter', 'error', 'other'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];
/** Series whose bound handles are cached per recorder; past it, handles are bound per call. */
const MAX_CACHED_SERIES = 500;
/** Longest a series keeps its looked-up price row; a row also ends when the table says another takes over. */
const PRICE_TTL_MS = 60_000;

/**
 * The handles of one provider/model/operation, bound on first use (so a series that never
 * happens, such as time to first token of a JSON call, is never exported as a zero).
 */
class Series {
  readonly provider: string;
  readonly model: string;
  readonly operation: string;
  readonly latency: BoundHistogram;
  readonly #meter: AgentMeter;
  #succeeded: BoundCounter | undefined;
  #firstToken: BoundHistogram | undefined;
  readonly #tokens: (BoundCounter | undefined)[] = [];
  readonly #costs: (BoundCounter | undefined)[] = [];
  readonly #steps: Partial<Record<FinishReason, BoundCounter>> = {};
  price: PriceEntry | undefined;
  /** Monotonic time when `price` must be looked up again. */
  priceExpires: number = Number.NEGATIVE_INFINITY;

  /** The series' labels on the llm instruments: the client's static attributes, provider, model. */
  readonly labels: RecordAttributes;

  constructor(meter: AgentMeter, provider: string, model: string, operation: string, attributes: RecordAttributes) {
    this.#meter = meter;
    this.provider = provider;
    this.model = model;
    this.operation = operation;
    this.labels = { ...attributes, provider, model };
    this.latency = meter.instruments.llmLatency.bind({ ...this.labels, operation });
  }

  get succeeded(): BoundCounter {
    return (this.#succeeded ??= this.#meter.instruments.llmRequests.bind({ ...this.labels, operation: this.operation, status: 'success' }));
  }

  get firstToken(): BoundHistogram {
    return (this.#firstToken ??= this.#meter.instruments.llmTimeToFirstToken.bind(this.labels));
  }

  /** Adds a token count of one type (an index into TOKEN_TYPES) when it is a positive finite number. */
  count(index: number, count: number | undefined): void {
    if (typeof count === 'number' && count > 0 && count < Infinity) {
      (this.#tokens[index] ??= this.#meter.instruments.llmTokens.bind({ ...this.labels, token_type: TOKEN_TYPES[index] as TokenType })).add(count);
    }
  }

  step(reason: FinishReason): BoundCounter {
    return (this.#steps[reason] ??= this.#meter.instruments.llmSteps.bind({ ...this.labels, finish_reason: reason }));
  }

  /** The cost counter of one part of the cost (an index into COST_TYPES). */
  cost(index: number): BoundCounter {
    return (this.#costs[index] ??= this.#meter.instruments.apiCost.bind({
      provider: this.provider, model: this.model, service: 'llm', token_type: COST_TYPES[index] as CostType,
    }));
  }
}

function label(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : 'unknown';
}

/** Records LLM calls for one instrumented client: latency, first token, tokens, cost and errors. */
export class LlmRecorder {
  readonly meter: AgentMeter;
  readonly pricing: PricingTable | undefined;
  readonly clock: () => number;
  readonly semconv: GenAiMetrics | undefined;
  /** Static attributes of this client on every llm series (keys declared in the meter's `attributes.llm`). */
  readonly attributes: RecordAttributes;
  readonly #series = new Map<string, Map<string, Map<unknown, Series>>>();
  #cached = 0;
  /** Scratch space for one call's cost by type (calls are recorded one at a time). */
  readonly #costs = new Float64Array(COST_TYPES.length);

  constructor(meter: AgentMeter, pricing: PricingTable | undefined, clock: () => number, semconv: GenAiMetrics | undefined, attributes: RecordAttributes = {}) {
    this.meter = meter;
    this.attributes = attributes;
    this.pricing = pricing;
    this.clock = clock;
    this.semconv = semconv;
  }

  /** Starts timing one call. `model` is the requested model (a label value, never content). */
  start(provider: string, model: unknown, operation: string): LlmCallState {
    // Nested maps keyed by the caller's own strings: no key string is built per call.
    let byOperation = this.#series.get(provider);
    if (byOperation === undefined) this.#series.set(provider, (byOperation = new Map()));
    let byModel = byOperation.get(operation);
    if (byModel === undefined) byOperation.set(operation, (byModel = new Map()));
    let series = byModel.get(model);
    if (series === undefined) {
      series = new Series(this.meter, provider, label(model), operation, this.attributes);
      if (this.#cached < MAX_CACHED_SERIES) {
        byModel.set(model, series);
        this.#cached += 1;
      }
    }
    return new LlmCallState(this, series, this.clock());
  }

  /** The price row for a series' call now, looked up again when it expires (never more than a minute on). */
  priceOf(series: Series, responseModel: string | undefined, now: number): PriceEntry | undefined {
    const { pricing } = this;
    if (pricing === undefined) return undefined;
    // `now` is the monotonic clock: the wall clock is read only when the row is looked up again.
    if (!(now < series.priceExpires)) {
      const wall = Date.now();
      const found = pricing.resolve(series.provider, series.model, wall);
      series.price = found?.entry;
      series.priceExpires = now + Math.min(PRICE_TTL_MS, (found?.until ?? Number.POSITIVE_INFINITY) - wall);
    }
    if (series.price !== undefined) return series.price;
    return responseModel === undefined ? undefined : pricing.lookup(series.provider, responseModel);
  }

  /** Adds a call's cost, by token type, to the series; an unknown model gets the table's one warning. */
  recordCost(series: Series, usage: TokenUsage, responseModel: string | undefined, now: number): void {
    const entry = this.priceOf(series, responseModel, now);
    if (entry === undefined) {
      this.pricing?.cost({ provider: series.provider, model: series.model, ...usage });
      return;
    }
    const costs = this.#costs;
    if (entry.unit !== 'token' || tokenCosts(entry, usage, costs) === undefined) return;
    for (let i = 0; i < costs.length; i++) {
      const usd = costs[i]!;
      if (usd > 0 && Number.isFinite(usd)) series.cost(i).add(usd);
    }
  }
}

/** One call in flight. Every method is idempotent after `end` and never throws. */
export class LlmCallState {
  readonly #recorder: LlmRecorder;
  readonly #series: Series;
  readonly #started: number;
  /** When the latest output chunk arrived (clock ms), or undefined before the first. */
  #lastChunk: number | undefined;
  #ended = false;
  /** The latest provider-reported usage (streams report it cumulatively, so the last one wins). */
  usage: TokenUsage | undefined;
  /** The model the provider says answered, used for pricing when the requested name has no row. */
  responseModel: string | undefined;
  /** Set when the provider's terminal event arrived, so an early `return()` afterwards is not a cancel. */
  completed: boolean = false;

  constructor(recorder: LlmRecorder, series: Series, started: number) {
    this.#recorder = recorder;
    this.#series = series;
    this.#started = started;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * An output chunk of a stream arrived. The first is the time to first token (and the GenAI
   * time to first chunk); each later one is a GenAI time per output chunk, from the one before.
   */
  outputChunk(): void {
    if (this.#ended) return;
    const semconv = this.#recorder.semconv;
    const previous = this.#lastChunk;
    // Later chunks matter only to the GenAI metrics: without them, no clock read per chunk.
    if (previous !== undefined && semconv === undefined) return;
    try {
      const now = this.#recorder.clock();
      this.#lastChunk = now;
      if (previous === undefined) {
        const seconds = (now - this.#started) / 1000;
        this.#series.firstToken.record(seconds);
        semconv?.chunk(this.#series, seconds, true);
      } else {
        semconv?.chunk(this.#series, (now - previous) / 1000, false);
      }
    } catch {
      // Recording never reaches the caller.
    }
  }

  /** Records a success. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      const now = this.#recorder.clock();
      const seconds = (now - this.#started) / 1000;
      this.#series.latency.record(seconds);
      this.#series.succeeded.add(1);
      this.#recordUsage(now);
      this.#recorder.semconv?.record(this.#series, seconds, this.usage, this.responseModel, undefined);
    } catch {
      // Recording never reaches the caller.
    }
  }

  /** Records a failure, classified from the error and where it happened. */
  fail(error: unknown, phase: FailurePhase): void {
    if (this.#ended) return;
    this.failWith(classifyLlmError(error, phase));
  }

  /** Records a failure of a known type (e.g. `cancelled` when the caller stopped a stream). */
  failWith(errorType: ErrorType): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      const series = this.#series;
      const i = this.#recorder.meter.instruments;
      const now = this.#recorder.clock();
      const seconds = (now - this.#started) / 1000;
      series.latency.record(seconds);
      i.llmRequests.add(1, { ...series.labels, operation: series.operation, status: 'error' });
      i.llmErrors.add(1, { ...series.labels, error_type: errorType });
      i.errors.add(1, { error_type: errorType, component: 'llm' });
      // Tokens already reported (e.g. input counted at a stream's start) were billed.
      this.#recordUsage(now);
      this.#recorder.semconv?.record(series, seconds, this.usage, this.responseModel, errorType);
    } catch {
      // Recording never reaches the caller.
    }
  }

  /** Counts a tool call the model asked for; `tool` must already be a safe label (see `toolLabel`). */
  toolCall(tool: string): void {
    try {
      const series = this.#series;
      this.#recorder.meter.instruments.llmToolCalls.add(1, { ...series.labels, tool });
    } catch {
      // Recording never reaches the caller.
    }
  }

  /** Counts this call as one step of a multi-step run, by why it ended (a bounded label). */
  step(finishReason: FinishReason): void {
    try {
      this.#series.step(finishReason).add(1);
    } catch {
      // Recording never reaches the caller.
    }
  }

  #recordUsage(now: number): void {
    const { usage } = this;
    if (typeof usage !== 'object' || usage === null) return;
    const series = this.#series;
    // Named reads in TOKEN_TYPES order: cheaper on the record path than a keyed loop over the types.
    series.count(0, usage.input);
    series.count(1, usage.cached_input);
    series.count(2, usage.cache_write);
    series.count(3, usage.input_audio);
    series.count(4, usage.output);
    series.count(5, usage.reasoning);
    series.count(6, usage.output_audio);
    this.#recorder.recordCost(series, usage, this.responseModel, now);
  }
}

export type { Series };
