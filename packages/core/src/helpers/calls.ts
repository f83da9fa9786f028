import { classifyError } from '../classify.ts';
import { type GenAiMetrics, SPEECH_OPERATIONS } from '../genai.ts';
import { ERROR_TYPES, type ErrorType } from '../errors.ts';
import { TOKEN_TYPES } from '../pricing/types.ts';
import { LlmRecorder } from '../kernel/llm.ts';
import { OutcomeTable } from '../kernel/outcome.ts';
import type { InstrumentRegistry } from '../registry.ts';
import type {
  DbQueryAttributes,
  ExternalApiAttributes,
  LlmCall,
  LlmCallAttributes,
  RecordAttributes,
  SpeechCallAttributes,
  SttCall,
  TimedCall,
  TokenUsage,
  TtsCall,
} from '../types.ts';

/** A taxonomy string is taken as is; anything else is classified. */
export function errorTypeOf(error: unknown): ErrorType {
  return typeof error === 'string' && (ERROR_TYPES as readonly string[]).includes(error)
    ? (error as ErrorType)
    : classifyError(error);
}

function text(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : 'unknown';
}

/** Builds the start*Call objects; every method is idempotent where it matters and never throws. */
export class CallFactory {
  readonly #registry: InstrumentRegistry;
  readonly #clock: () => number;
  readonly #genAi: GenAiMetrics | undefined;
  readonly #llm: LlmRecorder;
  readonly #tts: OutcomeTable;
  readonly #stt: OutcomeTable;
  readonly #db: OutcomeTable;
  readonly #externalApi: OutcomeTable;

  constructor(registry: InstrumentRegistry, clock: () => number, genAi?: GenAiMetrics) {
    this.#registry = registry;
    this.#clock = clock;
    this.#genAi = genAi;
    const i = registry.catalog;
    this.#llm = new LlmRecorder({ instruments: i, clock, classify: errorTypeOf, label: (value) => value });
    this.#tts = new OutcomeTable(i, 'ttsLatency', 'ttsRequests', ['provider', 'model']);
    this.#stt = new OutcomeTable(i, 'sttLatency', 'sttRequests', ['provider', 'model']);
    this.#db = new OutcomeTable(i, 'dbQueryDuration', 'dbQueries', ['db_system', 'operation', 'table']);
    this.#externalApi = new OutcomeTable(i, 'externalApiDuration', 'externalApiRequests', ['service', 'endpoint']);
  }

  get #i(): InstrumentRegistry['catalog'] {
    return this.#registry.catalog;
  }

  countError(error: unknown, component: string): ErrorType {
    const errorType = errorTypeOf(error);
    this.#i.errors.add(1, { error_type: errorType, component });
    return errorType;
  }

  recordTokens(attributes: LlmCallAttributes, usage: TokenUsage): void {
    if (typeof usage !== 'object' || usage === null) return;
    const base = { ...pick(attributes, 'provider', 'model') };
    for (const tokenType of TOKEN_TYPES) {
      let count: unknown;
      try {
        count = usage[tokenType];
      } catch {
        continue; // A throwing getter on the caller's usage object drops that token type.
      }
      if (count === undefined || count === null || count === 0) continue;
      this.#i.llmTokens.add(count as number, { ...base, token_type: tokenType });
    }
  }

  recordCost(service: string, attributes: RecordAttributes, usd: number): void {
    if (usd === 0) return;
    this.#i.apiCost.add(usd, { provider: attributes['provider'], model: attributes['model'], service });
  }

  /** An LLM call through the recording kernel, over the meter's cached bound series. */
  llm(attributes: LlmCallAttributes): LlmCall {
    const labels = pick(attributes, 'provider', 'model', 'operation');
    const state = this.#llm.start(labels['provider'], labels['model'], labels['operation'] ?? 'chat');
    return {
      firstToken: () => state.outputChunk(),
      usage: (tokens) => state.addTokens(tokens),
      cost: (usd) => state.addCost(usd),
      end: (error?: unknown) => (error === undefined ? state.end() : state.fail(error, 'request')),
    };
  }

  tts(attributes: SpeechCallAttributes): TtsCall {
    const started = this.#clock();
    const model = pick(attributes, 'provider', 'model');
    let firstAudioSeen = false;
    let ended = false;
    return {
      firstAudio: () => {
        if (firstAudioSeen || ended) return;
        firstAudioSeen = true;
        this.#i.ttsTimeToFirstAudio.record(this.#seconds(started), model);
      },
      characters: (count) => this.#i.ttsCharacters.add(count, model),
      audioSeconds: (seconds) => this.#i.ttsAudio.add(seconds, model),
      cost: (usd) => this.recordCost('tts', model, usd),
      end: (error?: unknown) => {
        if (ended) return;
        ended = true;
        const seconds = this.#seconds(started);
        this.#tts.series(model['provider'], model['model']).record(seconds, error !== undefined);
        const errorType = error === undefined ? undefined : this.countError(error, 'tts');
        if (errorType !== undefined) this.#i.ttsErrors.add(1, { ...model, error_type: errorType });
        this.#speechGenAi(model, SPEECH_OPERATIONS.tts, seconds, errorType);
      },
    };
  }

  stt(attributes: SpeechCallAttributes): SttCall {
    const started = this.#clock();
    const model = pick(attributes, 'provider', 'model');
    let ended = false;
    return {
      audioSeconds: (seconds) => this.#i.sttAudio.add(seconds, model),
      cost: (usd) => this.recordCost('stt', model, usd),
      end: (error?: unknown) => {
        if (ended) return;
        ended = true;
        const seconds = this.#seconds(started);
        this.#stt.series(model['provider'], model['model']).record(seconds, error !== undefined);
        const errorType = error === undefined ? undefined : this.countError(error, 'stt');
        if (errorType !== undefined) this.#i.sttErrors.add(1, { ...model, error_type: errorType });
        this.#speechGenAi(model, SPEECH_OPERATIONS.stt, seconds, errorType);
      },
    };
  }

  /** A speech call as a GenAI operation; labels that are not strings (dropped by the catalog too) become `unknown`. */
  #speechGenAi(
    labels: Record<string, unknown>,
    operation: string,
    seconds: number,
    errorType: ErrorType | undefined,
  ): void {
    if (this.#genAi === undefined) return;
    this.#genAi.record(
      { provider: text(labels['provider']), model: text(labels['model']), operation },
      seconds,
      undefined,
      undefined,
      errorType,
    );
  }

  db(attributes: DbQueryAttributes): TimedCall {
    const labels = pick(attributes, 'db_system', 'operation', 'table');
    const series = this.#db.series(labels['db_system'], labels['operation'], labels['table']);
    return this.#timed((seconds, status) => series.record(seconds, status === 'error'), 'db');
  }

  externalApi(attributes: ExternalApiAttributes): TimedCall {
    const labels = pick(attributes, 'service', 'endpoint');
    const series = this.#externalApi.series(labels['service'], labels['endpoint']);
    return this.#timed((seconds, status) => series.record(seconds, status === 'error'), 'external_api');
  }

  contentGeneration(attributes: RecordAttributes): TimedCall {
    return this.#timed((seconds, status) => {
      this.#i.contentGenerationDuration.record(seconds, { ...attributes, status });
      this.#i.contentGeneration.add(1, { ...attributes, status });
    }, 'generation');
  }

  request(attributes: RecordAttributes, component: string): TimedCall {
    return this.#timed((seconds, status) => {
      this.#i.responseTime.record(seconds, attributes);
      this.#i.requests.add(1, { ...attributes, status });
    }, component);
  }

  #timed(record: (seconds: number, status: 'success' | 'error') => void, component: string): TimedCall {
    const started = this.#clock();
    let ended = false;
    return {
      end: (error?: unknown) => {
        if (ended) return;
        ended = true;
        record(this.#seconds(started), error === undefined ? 'success' : 'error');
        if (error !== undefined) this.countError(error, component);
      },
    };
  }

  #seconds(started: number): number {
    return (this.#clock() - started) / 1000;
  }
}

/** Copies the named keys, reading defensively (attributes may be hostile objects). */
export function pick(attributes: unknown, ...keys: string[]): RecordAttributes {
  const result: Record<string, unknown> = {};
  if (typeof attributes !== 'object' || attributes === null) return {};
  for (const key of keys) {
    try {
      const value = (attributes as Record<string, unknown>)[key];
      if (value !== undefined && value !== null) result[key] = value;
    } catch {
      // A throwing getter leaves the key out.
    }
  }
  return result as unknown as RecordAttributes;
}
