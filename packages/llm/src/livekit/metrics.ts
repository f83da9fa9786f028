import type { AgentMeter, PricingTable, RecordAttributes } from '@agentmeter/core';
import { shortLabel } from '../labels.ts';
import { LlmRecorder } from '../recorder.ts';
import { count, object, usageOf } from '../usage.ts';

type Loose = Record<string, unknown> | undefined;

/** The provider and model of a metrics event (its `metadata`), as labels; `provider` overrides the event's. */
export function modelLabels(metadata: unknown, provider: string | undefined): { provider: string; model: string } {
  const m = object(metadata);
  const model = m?.modelName;
  return {
    provider: provider ?? shortLabel(m?.modelProvider) ?? 'unknown',
    model: typeof model === 'string' && model !== '' ? model : 'unknown',
  };
}

const ms = (value: unknown): number | undefined => count(value);

/** Most speech ids a session keeps while waiting for the rest of a turn (older ones are dropped). */
const MAX_PENDING_TURNS = 64;

/** The parts of one reply's latency, by speech id: end of utterance, the LLM's first token, the TTS's first byte. */
interface TurnParts {
  eou?: number;
  ttft?: number;
  ttfb?: number;
  interrupted?: boolean;
  recorded?: boolean;
}

/**
 * Records one AgentSession's `metrics_collected` events on the catalog instruments. LLM metrics
 * replay through the llm recorder (backdated from now by their duration), so tokens, cost and the
 * GenAI metrics are those of the provider wrappers; speech metrics go to the tts and stt families.
 */
export class LiveKitMetricsRecorder {
  readonly #recorder: LlmRecorder;
  readonly #meter: AgentMeter;
  readonly #pricing: PricingTable | undefined;
  readonly #provider: string | undefined;
  readonly #now: () => number;
  /** The replay clock: the llm recorder reads it at a call's start, first token and end; `#llm` sets it before each. */
  #at = 0;
  readonly #turns = new Map<string, TurnParts>();
  /** The latest streamed STT's labels, for its transcription delay (end-of-utterance metrics carry none). */
  #sttLabels: RecordAttributes = { provider: 'unknown', model: 'unknown' };

  /** `checked`: the recorder built from the options; this one is the same on the replay clock. */
  constructor(checked: LlmRecorder, provider: string | undefined, now: () => number) {
    this.#recorder = new LlmRecorder(
      checked.meter,
      checked.pricing,
      () => this.#at,
      checked.semconv,
      checked.attributes,
    );
    this.#meter = checked.meter;
    this.#pricing = checked.pricing;
    this.#provider = provider;
    this.#now = now;
  }

  record(metrics: unknown): void {
    const m = object(metrics);
    switch (m?.type) {
      case 'llm_metrics':
        return this.#llm(m, 'chat');
      case 'realtime_model_metrics':
        return this.#llm(m, 'realtime');
      case 'tts_metrics':
        return this.#tts(m);
      case 'stt_metrics':
        return this.#stt(m);
      case 'eou_metrics':
        return this.#eou(m);
      default:
        return undefined;
    }
  }

  #llm(m: NonNullable<Loose>, operation: 'chat' | 'realtime'): void {
    const { provider, model } = modelLabels(m.metadata, this.#provider);
    const duration = ms(m.durationMs) ?? 0;
    const ttft = ms(m.ttftMs);
    const start = this.#now() - duration;
    this.#at = start;
    const call = this.#recorder.start(provider, model, operation);
    if (ttft !== undefined && ttft <= duration) {
      this.#at = start + ttft;
      call.outputChunk();
    }
    if (operation === 'chat') {
      call.usage = usageOf({
        total: count(m.promptTokens),
        read: count(m.promptCachedTokens),
        written: count(m.cacheCreationTokens),
        output: count(m.completionTokens),
      });
    } else {
      const input = object(m.inputTokenDetails);
      call.usage = usageOf({
        total: count(m.inputTokens),
        read: count(input?.cachedTokens),
        inputAudio: count(input?.audioTokens),
        output: count(m.outputTokens),
        outputAudio: count(object(m.outputTokenDetails)?.audioTokens),
      });
    }
    this.#at = start + duration;
    if (m.cancelled === true) call.failWith('cancelled');
    else call.end();
    if (operation === 'realtime') {
      if (m.cancelled === true) this.#meter.instruments.voiceInterruptions.add(1);
      return;
    }
    this.#turn(m.speechId, (parts) => {
      parts.ttft = ttft;
      if (m.cancelled === true) this.#interrupted(parts);
    });
  }

  #tts(m: NonNullable<Loose>): void {
    const labels = modelLabels(m.metadata, this.#provider);
    const i = this.#meter.instruments;
    const cancelled = m.cancelled === true;
    const status = cancelled ? 'error' : 'success';
    const ttfb = ms(m.ttfbMs);
    const characters = count(m.charactersCount);
    const audio = ms(m.audioDurationMs);
    i.ttsRequests.add(1, { ...labels, status });
    i.ttsLatency.record((ms(m.durationMs) ?? 0) / 1000, { ...labels, status });
    if (ttfb !== undefined) i.ttsTimeToFirstAudio.record(ttfb / 1000, labels);
    if (characters !== undefined && characters > 0) i.ttsCharacters.add(characters, labels);
    if (audio !== undefined && audio > 0) i.ttsAudio.add(audio / 1000, labels);
    if (cancelled) {
      i.ttsErrors.add(1, { ...labels, error_type: 'cancelled' });
      i.errors.add(1, { error_type: 'cancelled', component: 'tts' });
    }
    this.#cost('tts', labels, characters, audio === undefined ? undefined : audio / 1000);
    const speech = typeof m.speechId === 'string' ? m.speechId : undefined;
    if (speech === undefined && cancelled) i.voiceInterruptions.add(1);
    this.#turn(speech, (parts) => {
      parts.ttfb = ttfb;
      if (cancelled) this.#interrupted(parts);
    });
  }

  #stt(m: NonNullable<Loose>): void {
    const labels = modelLabels(m.metadata, this.#provider);
    const i = this.#meter.instruments;
    const audio = ms(m.audioDurationMs);
    if (audio !== undefined && audio > 0) i.sttAudio.add(audio / 1000, labels);
    if (m.streamed === true) {
      // A streamed STT reports usage as it goes, not calls: its latency is the end of utterance's transcription delay.
      this.#sttLabels = labels;
    } else {
      i.sttRequests.add(1, { ...labels, status: 'success' });
      i.sttLatency.record((ms(m.durationMs) ?? 0) / 1000, { ...labels, status: 'success' });
    }
    this.#cost('stt', labels, undefined, audio === undefined ? undefined : audio / 1000);
  }

  #eou(m: NonNullable<Loose>): void {
    const transcription = ms(m.transcriptionDelayMs);
    if (transcription !== undefined && transcription > 0) {
      this.#meter.instruments.sttLatency.record(transcription / 1000, { ...this.#sttLabels, status: 'success' });
    }
    const eou = ms(m.endOfUtteranceDelayMs);
    this.#turn(m.speechId, (parts) => {
      parts.eou = eou;
    });
  }

  #cost(
    service: 'tts' | 'stt',
    labels: { provider: string; model: string },
    characters: number | undefined,
    seconds: number | undefined,
  ): void {
    const usd = this.#pricing?.cost({ ...labels, characters, seconds });
    if (usd !== undefined && usd > 0 && Number.isFinite(usd)) this.#meter.recordCost({ ...labels, service }, usd);
  }

  #interrupted(parts: TurnParts): void {
    if (parts.interrupted === true) return;
    parts.interrupted = true;
    this.#meter.instruments.voiceInterruptions.add(1);
  }

  /** Updates a reply's parts; once end of utterance, first token and first byte are in, records its turn latency. */
  #turn(speechId: unknown, update: (parts: TurnParts) => void): void {
    if (typeof speechId !== 'string' || speechId === '') return;
    let parts = this.#turns.get(speechId);
    if (parts === undefined) {
      if (this.#turns.size >= MAX_PENDING_TURNS) this.#turns.delete(this.#turns.keys().next().value as string);
      this.#turns.set(speechId, (parts = {}));
    }
    update(parts);
    const { eou, ttft, ttfb } = parts;
    if (eou !== undefined && ttft !== undefined && ttfb !== undefined && parts.recorded !== true) {
      parts.recorded = true;
      this.#meter.instruments.turnLatency.record((eou + ttft + ttfb) / 1000);
    }
  }
}
