import { classifyError } from '../classify.ts';
import { ERROR_TYPES, type ErrorType } from '../errors.ts';
import { TOKEN_TYPES } from '../pricing/types.ts';
import type { InstrumentRegistry } from '../registry.ts';
import type {
  DbQueryAttributes, ExternalApiAttributes, LlmCall, LlmCallAttributes, RecordAttributes, SpeechCallAttributes,
  SttCall, TimedCall, TokenUsage, TtsCall,
} from '../types.ts';

/** A taxonomy string is taken as is; anything else is classified. */
export function errorTypeOf(error: unknown): ErrorType {
  return typeof error === 'string' && (ERROR_TYPES as readonly string[]).includes(error) ? (error as ErrorType) : classifyError(error);
}

/** Builds the start*Call objects; every method is idempotent where it matters and never throws. */
export class CallFactory {
  readonly #registry: InstrumentRegistry;
  readonly #clock: () => number;

  constructor(registry: InstrumentRegistry, clock: () => number) {
    this.#registry = registry;
    this.#clock = clock;
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

  llm(attributes: LlmCallAttributes): LlmCall {
    const started = this.#clock();
    const model = pick(attributes, 'provider', 'model');
    const call = { ...model, operation: attributes?.operation ?? 'chat' };
    let firstTokenSeen = false;
    let ended = false;
    return {
      firstToken: () => {
        if (firstTokenSeen || ended) return;
        firstTokenSeen = true;
        this.#i.llmTimeToFirstToken.record(this.#seconds(started), model);
      },
      usage: (tokens) => this.recordTokens(model as LlmCallAttributes, tokens),
      cost: (usd) => this.recordCost('llm', model, usd),
      end: (error?: unknown) => {
        if (ended) return;
        ended = true;
        const failed = error !== undefined;
        this.#i.llmLatency.record(this.#seconds(started), call);
        this.#i.llmRequests.add(1, { ...call, status: failed ? 'error' : 'success' });
        if (failed) {
          const errorType = this.countError(error, 'llm');
          this.#i.llmErrors.add(1, { ...model, error_type: errorType });
        }
      },
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
        const status = error === undefined ? 'success' : 'error';
        this.#i.ttsLatency.record(this.#seconds(started), { ...model, status });
        this.#i.ttsRequests.add(1, { ...model, status });
        if (error !== undefined) this.#i.ttsErrors.add(1, { ...model, error_type: this.countError(error, 'tts') });
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
        const status = error === undefined ? 'success' : 'error';
        this.#i.sttLatency.record(this.#seconds(started), { ...model, status });
        this.#i.sttRequests.add(1, { ...model, status });
        if (error !== undefined) this.#i.sttErrors.add(1, { ...model, error_type: this.countError(error, 'stt') });
      },
    };
  }

  db(attributes: DbQueryAttributes): TimedCall {
    const labels = pick(attributes, 'db_system', 'operation', 'table');
    return this.#timed((seconds, status) => {
      this.#i.dbQueryDuration.record(seconds, { ...labels, status });
      this.#i.dbQueries.add(1, { ...labels, status });
    }, 'db');
  }

  externalApi(attributes: ExternalApiAttributes): TimedCall {
    const labels = pick(attributes, 'service', 'endpoint');
    return this.#timed((seconds, status) => {
      this.#i.externalApiDuration.record(seconds, { ...labels, status });
      this.#i.externalApiRequests.add(1, { ...labels, status });
    }, 'external_api');
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
