import { AgentMeterProducer } from './aggregation/producer.ts';
import { GenAiMetrics } from './genai.ts';
import { resolveOptions } from './config.ts';
import { CallFactory, errorTypeOf, pick } from './helpers/calls.ts';
import { createDecorators } from './helpers/decorators.ts';
import { runTracked } from './helpers/run.ts';
import { InstrumentRegistry } from './registry.ts';
import { Warner } from './safety/warn.ts';
import type { ErrorType } from './errors.ts';
import type { AgentMeter, AgentMeterOptions, RecordAttributes, Session } from './types.ts';

/**
 * Creates a meter: the catalog's instruments, the track* helpers and custom metrics.
 * Invalid options throw AgentMeterConfigError here; nothing the meter does later throws.
 */
export function createAgentMeter(options?: AgentMeterOptions): AgentMeter {
  const resolved = resolveOptions(options);
  const warner = new Warner();
  const hooks = new Set<() => void>();
  const runHooks = (): void => {
    for (const hook of hooks) {
      try {
        hook();
      } catch {
        warner.warn('collect-hook', 'an onCollect callback threw; its gauges keep their previous values');
      }
    }
  };
  const registry = new InstrumentRegistry(resolved, warner, runHooks);
  const genAi = resolved.genAiMetrics
    ? new GenAiMetrics(resolved.meterProvider === 'global' ? undefined : resolved.meterProvider)
    : undefined;
  const calls = new CallFactory(registry, resolved.clock, genAi);
  const i = registry.catalog;
  const clock = resolved.clock;
  const cacheCounts = new Map<string, { hits: number; misses: number }>();

  /** Runs a recording step; a failure becomes one rate-limited warning. */
  const guard = <T>(what: string, step: () => T, fallback: T): T => {
    try {
      return step();
    } catch {
      warner.warn(`guard:${what}`, `${what} could not record; the measurement was dropped`);
      return fallback;
    }
  };
  const noopCall = {
    end(): void {},
    firstToken(): void {},
    firstAudio(): void {},
    usage(): void {},
    cost(): void {},
    characters(): void {},
    audioSeconds(): void {},
  };

  const meter: AgentMeter = {
    namespace: resolved.namespace,
    instruments: i,
    metricProducer:
      resolved.meterProvider === undefined ? new AgentMeterProducer(() => registry.all(), runHooks) : undefined,
    onCollect(callback) {
      if (typeof callback !== 'function') {
        warner.warn('on-collect', 'onCollect takes a function; ignored');
        return () => {};
      }
      hooks.add(callback);
      return () => hooks.delete(callback);
    },

    startLlmCall: (attributes) => guard('startLlmCall', () => calls.llm(attributes), noopCall),
    startTtsCall: (attributes) => guard('startTtsCall', () => calls.tts(attributes), noopCall),
    startSttCall: (attributes) => guard('startSttCall', () => calls.stt(attributes), noopCall),
    startDbQuery: (attributes) => guard('startDbQuery', () => calls.db(attributes), noopCall),
    startExternalApi: (attributes) => guard('startExternalApi', () => calls.externalApi(attributes), noopCall),

    trackRequest(attributes, fn, trackOptions) {
      const component = guard(
        'trackRequest',
        () => (typeof trackOptions?.component === 'string' ? trackOptions.component : 'request'),
        'request',
      );
      const call = guard('trackRequest', () => calls.request(attributes, component), noopCall);
      return runTracked(fn, (error) => call.end(error));
    },
    trackLlmCall(attributes, fn) {
      const call = meter.startLlmCall(attributes);
      return runTracked(
        () => fn(call),
        (error) => call.end(error),
      );
    },
    trackTtsCall(attributes, fn) {
      const call = meter.startTtsCall(attributes);
      return runTracked(
        () => fn(call),
        (error) => call.end(error),
      );
    },
    trackSttCall(attributes, fn) {
      const call = meter.startSttCall(attributes);
      return runTracked(
        () => fn(call),
        (error) => call.end(error),
      );
    },
    trackDbQuery(attributes, fn) {
      const call = meter.startDbQuery(attributes);
      return runTracked(fn, (error) => call.end(error));
    },
    trackExternalApi(attributes, fn) {
      const call = meter.startExternalApi(attributes);
      return runTracked(fn, (error) => call.end(error));
    },
    trackContentGeneration(attributes, fn) {
      const call = guard(
        'trackContentGeneration',
        () => calls.contentGeneration(pick(attributes, 'content_type')),
        noopCall,
      );
      return runTracked(fn, (error) => call.end(error));
    },
    trackError(error, attributes) {
      return guard(
        'trackError',
        (): ErrorType => {
          const component = pick(attributes, 'component')['component'];
          return calls.countError(error, typeof component === 'string' ? component : 'app');
        },
        errorTypeOf(undefined),
      );
    },

    startSession(attributes) {
      return guard(
        'startSession',
        (): Session => {
          const labels = { ...attributes };
          const started = clock();
          i.activeSessions.add(1, labels);
          i.sessions.add(1, labels);
          let ended = false;
          return {
            end: () => {
              if (ended) return;
              ended = true;
              guard(
                'session.end',
                () => {
                  i.activeSessions.add(-1, labels);
                  i.sessionDuration.record((clock() - started) / 1000, labels);
                },
                undefined,
              );
            },
          };
        },
        noopCall,
      );
    },
    recordTokens: (attributes, usage) => guard('recordTokens', () => calls.recordTokens(attributes, usage), undefined),
    recordCost: (attributes, usd) =>
      guard('recordCost', () => i.apiCost.add(usd, pick(attributes, 'provider', 'service', 'model')), undefined),
    recordCacheOperation(attributes) {
      guard(
        'recordCacheOperation',
        () => {
          const labels = pick(attributes, 'cache', 'operation', 'result');
          i.cacheOperations.add(1, labels);
          const result = labels['result'];
          if (result !== 'hit' && result !== 'miss') return;
          const cache = typeof labels['cache'] === 'string' ? labels['cache'] : '';
          let counts = cacheCounts.get(cache);
          if (counts === undefined) {
            if (cacheCounts.size >= resolved.seriesLimit) return;
            counts = { hits: 0, misses: 0 };
            cacheCounts.set(cache, counts);
          }
          if (result === 'hit') counts.hits++;
          else counts.misses++;
          i.cacheHitRatio.set(counts.hits / (counts.hits + counts.misses), cache === '' ? undefined : { cache });
        },
        undefined,
      );
    },
    recordConversationExchange(attributes, scores) {
      guard(
        'recordConversationExchange',
        () => {
          const labels = pick(attributes, 'intent');
          i.conversationExchanges.add(1, labels);
          if (scores?.quality !== undefined) i.conversationQualityScore.record(scores.quality, labels);
        },
        undefined,
      );
    },
    recordEngagement: (score, attributes) =>
      guard('recordEngagement', () => i.userEngagementScore.record(score, attributes), undefined),
    recordHealthCheck(dependency, healthy, seconds) {
      guard(
        'recordHealthCheck',
        () => {
          i.healthCheckStatus.set(healthy === true ? 1 : 0, { dependency });
          i.healthCheckDuration.record(seconds, { dependency, status: healthy === true ? 'healthy' : 'unhealthy' });
        },
        undefined,
      );
    },

    increment: (name, tags, value = 1) =>
      guard('increment', () => registry.customCounter(name)?.add(value, tags), undefined),
    gauge: (name, value, tags) => guard('gauge', () => registry.customGauge(name)?.set(value, tags), undefined),
    observe: (name, value, tags) =>
      guard('observe', () => registry.customHistogram(name, '')?.record(value, tags), undefined),
    time(name, tags, fn) {
      const started = clock();
      return runTracked(fn, () => {
        registry.customHistogram(name, 's')?.record((clock() - started) / 1000, tags as RecordAttributes);
      });
    },
    decorators: undefined as never,
  };
  (meter as { decorators: AgentMeter['decorators'] }).decorators = createDecorators(meter);
  return meter;
}
