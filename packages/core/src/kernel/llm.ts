/**
 * The recording kernel's LLM call: what one model call records (latency, requests by status,
 * time to first token, tokens, cost, errors, the GenAI semantic-convention metrics) over cached
 * bound series. `meter.startLlmCall` / `trackLlmCall` and every @agentmeter/llm wrapper use it;
 * the wrappers add only where their provider puts usage, how its errors map and its stream shape.
 */
import type { FailurePhase } from '../classify.ts';
import type { ErrorType } from '../errors.ts';
import type { GenAiMetrics } from '../genai.ts';
import { COST_TYPES, tokenCosts } from '../pricing/price.ts';
import { TOKEN_TYPES, type PriceEntry } from '../pricing/types.ts';
import type { PricingTable } from '../pricing/table.ts';
import type { CatalogInstruments, RecordAttributes, TokenUsage } from '../types.ts';
import { SeriesCache } from './cache.ts';
import { type FinishReason, LlmSeries } from './llm-series.ts';

/** Longest a series keeps its looked-up price row; a row also ends when the table says another takes over. */
const PRICE_TTL_MS = 60_000;

/** A model label: the string given, or `unknown`. */
export function modelLabel(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : 'unknown';
}

export interface LlmRecorderOptions {
  readonly instruments: CatalogInstruments;
  readonly clock: () => number;
  /** Prices for the cost by token type; undefined for none. */
  readonly pricing?: PricingTable | undefined;
  /** The GenAI semantic-convention metrics; undefined for off. */
  readonly semconv?: GenAiMetrics | undefined;
  /** Static attributes on every llm series (keys declared in the meter's `attributes.llm`). */
  readonly attributes?: RecordAttributes;
  /** Maps a failure, and where it happened, onto the taxonomy (a wrapper's provider specifics). */
  readonly classify: (error: unknown, phase: FailurePhase) => ErrorType;
  /**
   * The model label of a requested model (default `modelLabel`). The meter's own calls keep what
   * the caller gave (the catalog checks it), dropping only an absent one.
   */
  readonly label?: (value: unknown) => unknown;
}

/** Records LLM calls for one client (or one meter): latency, first token, tokens, cost and errors. */
export class LlmRecorder {
  readonly instruments: CatalogInstruments;
  readonly pricing: PricingTable | undefined;
  readonly clock: () => number;
  readonly semconv: GenAiMetrics | undefined;
  readonly attributes: RecordAttributes;
  readonly classify: (error: unknown, phase: FailurePhase) => ErrorType;
  readonly #label: (value: unknown) => unknown;
  readonly #series = new SeriesCache<LlmSeries>();
  /** Scratch space for one call's cost by type (calls are recorded one at a time). */
  readonly #costs = new Float64Array(COST_TYPES.length);

  constructor(options: LlmRecorderOptions) {
    this.instruments = options.instruments;
    this.pricing = options.pricing;
    this.clock = options.clock;
    this.semconv = options.semconv;
    this.attributes = options.attributes ?? {};
    this.classify = options.classify;
    this.#label = options.label ?? modelLabel;
  }

  /** Starts timing one call. `model` is the requested model (a label value, never content). */
  start(provider: unknown, model: unknown, operation: unknown): LlmCallState {
    return new LlmCallState(this, this.series(provider, model, operation), this.clock());
  }

  /** The (cached) series of a provider, model and operation. */
  series(provider: unknown, model: unknown, operation: unknown): LlmSeries {
    return (
      this.#series.get(provider, operation, model) ??
      this.#series.set(provider, operation, model, this.#create(provider, model, operation))
    );
  }

  #create(provider: unknown, model: unknown, operation: unknown): LlmSeries {
    const labels: Record<string, unknown> = { ...this.attributes };
    if (provider !== undefined) labels['provider'] = provider;
    const modelValue = this.#label(model);
    if (modelValue !== undefined) labels['model'] = modelValue;
    return new LlmSeries(
      this.instruments,
      labels as RecordAttributes,
      operation,
      String(provider),
      modelLabel(modelValue),
    );
  }

  /** The price row for a series' call now, looked up again when it expires (never more than a minute on). */
  priceOf(series: LlmSeries, responseModel: string | undefined, now: number): PriceEntry | undefined {
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
  recordCost(series: LlmSeries, usage: TokenUsage, responseModel: string | undefined, now: number): void {
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
  readonly #series: LlmSeries;
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

  constructor(recorder: LlmRecorder, series: LlmSeries, started: number) {
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
    this.failWith(this.#recorder.classify(error, phase));
  }

  /** Records a failure of a known type (e.g. `cancelled` when the caller stopped a stream). */
  failWith(errorType: ErrorType): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      const series = this.#series;
      const now = this.#recorder.clock();
      const seconds = (now - this.#started) / 1000;
      series.latency.record(seconds);
      series.failed.add(1);
      series.error(errorType).add(1);
      this.#recorder.instruments.errors.add(1, { error_type: errorType, component: 'llm' });
      // Tokens already reported (e.g. input counted at a stream's start) were billed.
      this.#recordUsage(now);
      this.#recorder.semconv?.record(series, seconds, this.usage, this.responseModel, errorType);
    } catch {
      // Recording never reaches the caller.
    }
  }

  /**
   * Adds reported tokens at once (the meter's `LlmCall.usage`): each type that is present and
   * not zero goes to the catalog counter, which checks the value; a throwing getter drops its type.
   */
  addTokens(usage: TokenUsage): void {
    if (typeof usage !== 'object' || usage === null) return;
    for (let index = 0; index < TOKEN_TYPES.length; index++) {
      let count: unknown;
      try {
        count = usage[TOKEN_TYPES[index]!];
      } catch {
        continue;
      }
      if (count === undefined || count === null || count === 0) continue;
      this.#series.tokens(index).add(count as number);
    }
  }

  /** Adds a cost given in USD as a whole (the meter's `LlmCall.cost`); zero adds nothing. */
  addCost(usd: number): void {
    if (usd !== 0) this.#series.costTotal.add(usd);
  }

  /** Counts a tool call the model asked for; `tool` must already be a safe label (see `toolLabel`). */
  toolCall(tool: string): void {
    try {
      this.#recorder.instruments.llmToolCalls.add(1, { ...this.#series.labels, tool });
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
