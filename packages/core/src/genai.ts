import { type Attributes, type Histogram, type MeterProvider, metrics } from '@opentelemetry/api';
import type { ErrorType } from './errors.ts';
import { AGENTMETER_SCOPE } from './scope.ts';
import type { TokenUsage } from './types.ts';

/** Bucket boundaries advised by the OTel GenAI semantic conventions. */
export const GEN_AI_DURATION_BUCKETS: readonly number[] = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
export const GEN_AI_TOKEN_BUCKETS: readonly number[] = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
export const GEN_AI_FIRST_CHUNK_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
export const GEN_AI_CHUNK_BUCKETS: readonly number[] = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5,
];

/** agentmeter provider labels to `gen_ai.provider.name` values where the conventions name them. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  google: 'gcp.gemini',
  google_vertex: 'gcp.vertex_ai',
  azure_openai: 'azure.ai.openai',
  mistral: 'mistral_ai',
  xai: 'x_ai',
};
/** agentmeter operation labels to `gen_ai.operation.name` values (speech calls use their own names as they are). */
const OPERATION_NAMES: Readonly<Record<string, string>> = { responses: 'chat', messages: 'chat' };

/** The GenAI operation names of speech calls (custom values: the conventions name none for speech yet). */
export const SPEECH_OPERATIONS: { readonly tts: 'text_to_speech'; readonly stt: 'speech_to_text' } = {
  tts: 'text_to_speech',
  stt: 'speech_to_text',
};

export interface GenAiSeries {
  readonly provider: string;
  readonly model: string;
  readonly operation: string;
}

interface GenAiHistograms {
  readonly duration: Histogram;
  readonly tokens: Histogram;
  readonly firstChunk: Histogram;
  readonly chunk: Histogram;
}

/** The GenAI client metrics agentmeter records: one list for the instruments and docs/metrics.md. */
export const GEN_AI_METRICS: readonly {
  readonly key: keyof GenAiHistograms;
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly buckets: readonly number[];
  readonly attributes: readonly string[];
}[] = [
  {
    key: 'duration',
    name: 'gen_ai.client.operation.duration',
    unit: 's',
    description: 'GenAI operation duration (LLM and speech calls).',
    buckets: GEN_AI_DURATION_BUCKETS,
    attributes: [
      'gen_ai.operation.name',
      'gen_ai.provider.name',
      'gen_ai.request.model',
      'gen_ai.response.model',
      'error.type',
    ],
  },
  {
    key: 'tokens',
    name: 'gen_ai.client.token.usage',
    unit: '{token}',
    description: 'Number of input and output tokens used.',
    buckets: GEN_AI_TOKEN_BUCKETS,
    attributes: [
      'gen_ai.operation.name',
      'gen_ai.provider.name',
      'gen_ai.request.model',
      'gen_ai.response.model',
      'gen_ai.token.type',
    ],
  },
  {
    key: 'firstChunk',
    name: 'gen_ai.client.operation.time_to_first_chunk',
    unit: 's',
    description: 'Time to receive the first chunk of a streamed response.',
    buckets: GEN_AI_FIRST_CHUNK_BUCKETS,
    attributes: ['gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.request.model'],
  },
  {
    key: 'chunk',
    name: 'gen_ai.client.operation.time_per_output_chunk',
    unit: 's',
    description: 'Time between consecutive output chunks of a streamed response.',
    buckets: GEN_AI_CHUNK_BUCKETS,
    attributes: ['gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.request.model'],
  },
];

function createHistograms(provider: MeterProvider): GenAiHistograms {
  const meter = provider.getMeter(AGENTMETER_SCOPE.name, AGENTMETER_SCOPE.version);
  const histograms: Partial<Record<keyof GenAiHistograms, Histogram>> = {};
  for (const spec of GEN_AI_METRICS) {
    histograms[spec.key] = meter.createHistogram(spec.name, {
      unit: spec.unit,
      description: spec.description,
      advice: { explicitBucketBoundaries: [...spec.buckets] },
    });
  }
  return histograms as GenAiHistograms;
}

/**
 * The OTel GenAI client metrics, as the LLM and speech wrappers record them: `gen_ai.client.operation.duration`, `gen_ai.client.token.usage`,
 * and for streams `gen_ai.client.operation.time_to_first_chunk` and
 * `gen_ai.client.operation.time_per_output_chunk`. `providerName` overrides the mapping of the
 * provider label (a Vertex AI client is `gcp.vertex_ai` whatever its label).
 */
export class GenAiMetrics {
  readonly #meterProvider: MeterProvider | undefined;
  readonly #providerName: string | undefined;
  #histograms: GenAiHistograms | undefined;
  /** The base attributes of each series, built once: chunks are recorded many times a call. */
  readonly #attributes = new WeakMap<GenAiSeries, Attributes>();

  /**
   * Without a `meterProvider`, the global one is looked up at the first recording, not now, so a
   * meter created before `start()` registers the SDK still records into it.
   */
  constructor(meterProvider: MeterProvider | undefined, providerName?: string) {
    this.#meterProvider = meterProvider;
    this.#providerName = providerName;
  }

  get #h(): GenAiHistograms {
    return (this.#histograms ??= createHistograms(this.#meterProvider ?? metrics.getMeterProvider()));
  }

  #base(series: GenAiSeries): Attributes {
    let attributes = this.#attributes.get(series);
    if (attributes === undefined) {
      attributes = {
        'gen_ai.operation.name': OPERATION_NAMES[series.operation] ?? series.operation,
        'gen_ai.provider.name': this.#providerName ?? PROVIDER_NAMES[series.provider] ?? series.provider,
        'gen_ai.request.model': series.model,
      };
      this.#attributes.set(series, attributes);
    }
    return attributes;
  }

  /** One output chunk of a stream: the first measures from the request, later ones from the previous chunk. */
  chunk(series: GenAiSeries, seconds: number, first: boolean): void {
    (first ? this.#h.firstChunk : this.#h.chunk).record(seconds, this.#base(series));
  }

  record(
    series: GenAiSeries,
    seconds: number,
    usage: TokenUsage | undefined,
    responseModel: string | undefined,
    errorType: ErrorType | undefined,
  ): void {
    const base = this.#base(series);
    const attributes = responseModel === undefined ? base : { ...base, 'gen_ai.response.model': responseModel };
    this.#h.duration.record(seconds, errorType === undefined ? attributes : { ...attributes, 'error.type': errorType });
    if (usage === undefined) return;
    // The conventions count cached input as input, and reasoning as output.
    const input = (usage.input ?? 0) + (usage.cached_input ?? 0);
    if (input > 0) this.#h.tokens.record(input, { ...attributes, 'gen_ai.token.type': 'input' });
    if ((usage.output ?? 0) > 0)
      this.#h.tokens.record(usage.output ?? 0, { ...attributes, 'gen_ai.token.type': 'output' });
  }
}
