import {
  type AgentMeter, type BoundCounter, type BoundHistogram, type ErrorType, type PriceEntry, type PricingTable,
  priceUsage, type TokenUsage,
} from '@agentmeter/core';
import { classifyLlmError, type FailurePhase } from './classify.ts';
import type { GenAiMetrics } from './semconv.ts';

const TOKEN_TYPES = ['input', 'output', 'cached_input', 'reasoning'] as const;
type TokenType = (typeof TOKEN_TYPES)[number];
/** Series whose bound handles are cached per recorder; past it, handles are bound per call. */
const MAX_CACHED_SERIES = 500;
/** How long a series keeps its looked-up price row before looking again (prices change by date). */
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
  readonly #tokens: Partial<Record<TokenType, BoundCounter>> = {};
  #cost: BoundCounter | undefined;
  price: PriceEntry | undefined;
  priceCheckedAt: number = Number.NEGATIVE_INFINITY;

  constructor(meter: AgentMeter, provider: string, model: string, operation: string) {
    this.#meter = meter;
    this.provider = provider;
    this.model = model;
    this.operation = operation;
    this.latency = meter.instruments.llmLatency.bind({ provider, model, operation });
  }

  get succeeded(): BoundCounter {
    return (this.#succeeded ??= this.#meter.instruments.llmRequests.bind({ provider: this.provider, model: this.model, operation: this.operation, status: 'success' }));
  }

  get firstToken(): BoundHistogram {
    return (this.#firstToken ??= this.#meter.instruments.llmTimeToFirstToken.bind({ provider: this.provider, model: this.model }));
  }

  tokens(type: TokenType): BoundCounter {
    return (this.#tokens[type] ??= this.#meter.instruments.llmTokens.bind({ provider: this.provider, model: this.model, token_type: type }));
  }

  get cost(): BoundCounter {
    return (this.#cost ??= this.#meter.instruments.apiCost.bind({ provider: this.provider, model: this.model, service: 'llm' }));
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
  readonly #series = new Map<string, Series>();

  constructor(meter: AgentMeter, pricing: PricingTable | undefined, clock: () => number, semconv: GenAiMetrics | undefined) {
    this.meter = meter;
    this.pricing = pricing;
    this.clock = clock;
    this.semconv = semconv;
  }

  /** Starts timing one call. `model` is the requested model (a label value, never content). */
  start(provider: string, model: unknown, operation: string): LlmCallState {
    const modelLabel = label(model);
    const key = `${provider}\u0000${modelLabel}\u0000${operation}`;
    let series = this.#series.get(key);
    if (series === undefined) {
      series = new Series(this.meter, provider, modelLabel, operation);
      if (this.#series.size < MAX_CACHED_SERIES) this.#series.set(key, series);
    }
    return new LlmCallState(this, series, this.clock());
  }

  /** The cost of a call's usage, or undefined (unknown model: one warning from the table). */
  costOf(series: Series, usage: TokenUsage, responseModel: string | undefined): number | undefined {
    const { pricing } = this;
    if (pricing === undefined) return undefined;
    const now = Date.now();
    if (now - series.priceCheckedAt > PRICE_TTL_MS) {
      series.price = pricing.lookup(series.provider, series.model, now);
      series.priceCheckedAt = now;
    }
    const entry = series.price ?? (responseModel === undefined ? undefined : pricing.lookup(series.provider, responseModel, now));
    const priced = { provider: series.provider, model: series.model, ...usage };
    return entry === undefined ? pricing.cost(priced) : priceUsage(entry, priced);
  }
}

/** One call in flight. Every method is idempotent after `end` and never throws. */
export class LlmCallState {
  readonly #recorder: LlmRecorder;
  readonly #series: Series;
  readonly #started: number;
  #firstTokenSeen = false;
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

  firstToken(): void {
    if (this.#firstTokenSeen || this.#ended) return;
    this.#firstTokenSeen = true;
    try {
      this.#series.firstToken.record((this.#recorder.clock() - this.#started) / 1000);
    } catch {
      // Recording never reaches the caller.
    }
  }

  /** Records a success. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      const seconds = (this.#recorder.clock() - this.#started) / 1000;
      this.#series.latency.record(seconds);
      this.#series.succeeded.add(1);
      this.#recordUsage();
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
      const seconds = (this.#recorder.clock() - this.#started) / 1000;
      const labels = { provider: series.provider, model: series.model };
      series.latency.record(seconds);
      i.llmRequests.add(1, { ...labels, operation: series.operation, status: 'error' });
      i.llmErrors.add(1, { ...labels, error_type: errorType });
      i.errors.add(1, { error_type: errorType, component: 'llm' });
      // Tokens already reported (e.g. input counted at a stream's start) were billed.
      this.#recordUsage();
      this.#recorder.semconv?.record(series, seconds, this.usage, this.responseModel, errorType);
    } catch {
      // Recording never reaches the caller.
    }
  }

  #recordUsage(): void {
    const { usage } = this;
    if (usage === undefined) return;
    const series = this.#series;
    for (const type of TOKEN_TYPES) {
      const count = usage[type];
      if (typeof count === 'number' && count > 0 && Number.isFinite(count)) series.tokens(type).add(count);
    }
    const usd = this.#recorder.costOf(this.#series, usage, this.responseModel);
    if (usd !== undefined && usd > 0 && Number.isFinite(usd)) this.#series.cost.add(usd);
  }
}

export type { Series };
