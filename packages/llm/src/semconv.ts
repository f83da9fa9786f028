import { type Attributes, type Histogram, type MeterProvider, metrics } from '@opentelemetry/api';
import type { ErrorType, TokenUsage } from '@agentmeter/core';

/** Bucket boundaries advised by the OTel GenAI semantic conventions. */
export const GEN_AI_DURATION_BUCKETS: readonly number[] = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
export const GEN_AI_TOKEN_BUCKETS: readonly number[] = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/** agentmeter provider labels to `gen_ai.provider.name` values where the conventions name them. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  google: 'gcp.gemini',
  azure_openai: 'azure.ai.openai',
  mistral: 'mistral_ai',
  xai: 'x_ai',
};
/** agentmeter operation labels to `gen_ai.operation.name` values. */
const OPERATION_NAMES: Readonly<Record<string, string>> = { responses: 'chat', messages: 'chat' };

interface SeriesLabels {
  readonly provider: string;
  readonly model: string;
  readonly operation: string;
}

/** The OTel GenAI client metrics, `gen_ai.client.operation.duration` and `gen_ai.client.token.usage`. */
export class GenAiMetrics {
  readonly #duration: Histogram;
  readonly #tokens: Histogram;

  constructor(meterProvider: MeterProvider | undefined) {
    const meter = (meterProvider ?? metrics).getMeter('@agentmeter/llm');
    this.#duration = meter.createHistogram('gen_ai.client.operation.duration', {
      unit: 's', description: 'GenAI operation duration.',
      advice: { explicitBucketBoundaries: [...GEN_AI_DURATION_BUCKETS] },
    });
    this.#tokens = meter.createHistogram('gen_ai.client.token.usage', {
      unit: '{token}', description: 'Number of input and output tokens used.',
      advice: { explicitBucketBoundaries: [...GEN_AI_TOKEN_BUCKETS] },
    });
  }

  record(series: SeriesLabels, seconds: number, usage: TokenUsage | undefined, responseModel: string | undefined, errorType: ErrorType | undefined): void {
    const attributes: Attributes = {
      'gen_ai.operation.name': OPERATION_NAMES[series.operation] ?? series.operation,
      'gen_ai.provider.name': PROVIDER_NAMES[series.provider] ?? series.provider,
      'gen_ai.request.model': series.model,
    };
    if (responseModel !== undefined) attributes['gen_ai.response.model'] = responseModel;
    this.#duration.record(seconds, errorType === undefined ? attributes : { ...attributes, 'error.type': errorType });
    if (usage === undefined) return;
    // The conventions count cached input as input, and reasoning as output.
    const input = (usage.input ?? 0) + (usage.cached_input ?? 0);
    if (input > 0) this.#tokens.record(input, { ...attributes, 'gen_ai.token.type': 'input' });
    if ((usage.output ?? 0) > 0) this.#tokens.record(usage.output ?? 0, { ...attributes, 'gen_ai.token.type': 'output' });
  }
}
