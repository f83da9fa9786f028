/**
 * The recording kernel's LLM series: the bound handles of one provider/model/operation, bound
 * on first use, so a series that never happens (time to first token of a JSON call, an error of
 * a call that never fails) is never exported as a zero.
 */
import { COST_TYPES, type CostType } from '../pricing/price.ts';
import { TOKEN_TYPES, type PriceEntry, type TokenType } from '../pricing/types.ts';
import type { BoundCounter, BoundHistogram, CatalogInstruments, RecordAttributes } from '../types.ts';

/** Why a model call ended, as the `finish_reason` label of `llm.steps` (frameworks' reasons map onto these). */
export const FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter', 'error', 'other'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

export class LlmSeries {
  /** The provider and model as pricing and the GenAI metrics see them (label values otherwise). */
  readonly provider: string;
  readonly model: string;
  readonly operation: string;
  readonly #instruments: CatalogInstruments;
  /** The operation label value as given (the GenAI `operation` is its string form). */
  readonly #operationLabel: unknown;
  #latency: BoundHistogram | undefined;
  #succeeded: BoundCounter | undefined;
  #failed: BoundCounter | undefined;
  #firstToken: BoundHistogram | undefined;
  #costTotal: BoundCounter | undefined;
  readonly #tokens: (BoundCounter | undefined)[] = [];
  readonly #costs: (BoundCounter | undefined)[] = [];
  readonly #errors = new Map<string, BoundCounter>();
  readonly #steps: Partial<Record<FinishReason, BoundCounter>> = {};
  price: PriceEntry | undefined;
  /** Monotonic time when `price` must be looked up again. */
  priceExpires: number = Number.NEGATIVE_INFINITY;

  /** The series' labels on the llm instruments: static attributes, provider, model (no operation). */
  readonly labels: RecordAttributes;

  constructor(
    instruments: CatalogInstruments,
    labels: RecordAttributes,
    operation: unknown,
    provider: string,
    model: string,
  ) {
    this.#instruments = instruments;
    this.provider = provider;
    this.model = model;
    this.operation = typeof operation === 'string' ? operation : String(operation);
    this.#operationLabel = operation;
    this.labels = labels;
  }

  get latency(): BoundHistogram {
    return (this.#latency ??= this.#instruments.llmLatency.bind({
      ...this.labels,
      operation: this.#operationLabel as string,
    }));
  }

  get succeeded(): BoundCounter {
    return (this.#succeeded ??= this.#instruments.llmRequests.bind({
      ...this.labels,
      operation: this.#operationLabel as string,
      status: 'success',
    }));
  }

  get failed(): BoundCounter {
    return (this.#failed ??= this.#instruments.llmRequests.bind({
      ...this.labels,
      operation: this.#operationLabel as string,
      status: 'error',
    }));
  }

  get firstToken(): BoundHistogram {
    return (this.#firstToken ??= this.#instruments.llmTimeToFirstToken.bind(this.labels));
  }

  /** `llm.errors` of one error type. */
  error(errorType: string): BoundCounter {
    let counter = this.#errors.get(errorType);
    if (counter === undefined) {
      counter = this.#instruments.llmErrors.bind({ ...this.labels, error_type: errorType });
      this.#errors.set(errorType, counter);
    }
    return counter;
  }

  /** The token counter of one type (an index into TOKEN_TYPES). */
  tokens(index: number): BoundCounter {
    return (this.#tokens[index] ??= this.#instruments.llmTokens.bind({
      ...this.labels,
      token_type: TOKEN_TYPES[index] as TokenType,
    }));
  }

  /** Adds a token count of one type (an index into TOKEN_TYPES) when it is a positive finite number. */
  count(index: number, count: number | undefined): void {
    if (typeof count === 'number' && count > 0 && count < Infinity) {
      (this.#tokens[index] ??= this.#instruments.llmTokens.bind({
        ...this.labels,
        token_type: TOKEN_TYPES[index] as TokenType,
      })).add(count);
    }
  }

  step(reason: FinishReason): BoundCounter {
    return (this.#steps[reason] ??= this.#instruments.llmSteps.bind({ ...this.labels, finish_reason: reason }));
  }

  /** The cost counter of one part of the cost (an index into COST_TYPES). */
  cost(index: number): BoundCounter {
    return (this.#costs[index] ??= this.#instruments.apiCost.bind({
      provider: this.provider,
      model: this.model,
      service: 'llm',
      token_type: COST_TYPES[index] as CostType,
    }));
  }

  /** The cost counter of a cost given in USD as a whole (no token type). */
  get costTotal(): BoundCounter {
    return (this.#costTotal ??= this.#instruments.apiCost.bind({
      provider: this.labels['provider'],
      model: this.labels['model'],
      service: 'llm',
    }));
  }
}
