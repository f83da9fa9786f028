import { AgentMeterConfigError, type AgentMeter } from '@agentmeter/core';
import type { MetricProducer, MetricReaderOptions } from '@opentelemetry/sdk-metrics';
import { isEndpointPath, resolveEndpoint, show, type ResolvedEndpoint } from './endpoint.ts';
import type { HealthOptions } from './health/options.ts';

export interface PrometheusExporterOptions extends Pick<
  MetricReaderOptions,
  'aggregationSelector' | 'cardinalitySelector'
> {
  /** Host `start()` listens on (default `127.0.0.1`; env AGENTMETER_PROMETHEUS_HOST). Use `0.0.0.0` to expose it. */
  host?: string;
  /** Port `start()` listens on (default 9464; env AGENTMETER_PROMETHEUS_PORT; 0 picks a free port). */
  port?: number;
  /** Path of the Prometheus endpoint (default `/metrics`; env AGENTMETER_PROMETHEUS_ENDPOINT). */
  endpoint?: string;
  /** Path of the JSON snapshot (default `/api/metrics`; false turns it off). */
  jsonEndpoint?: string | false;
  /** Path of the health endpoint (default `/api/health`; false turns it off). */
  healthEndpoint?: string | false;
  /** Bearer token required on the metrics endpoints: 1-4096 visible ASCII characters (env AGENTMETER_METRICS_TOKEN). Never logged. */
  token?: string;
  /** Requests arriving up to this many milliseconds after a collection completed share it and its rendered bodies (default 1000; 0 shares only a running collection). */
  shareWindowMs?: number;
  /** Metrics and JSON requests answered at once; more get 503 with `Retry-After` (default 64). */
  maxConcurrentScrapes?: number;
  /** Extra producers, e.g. `[meter.metricProducer]` (default: the meter's producer when `meter` is given). */
  metricProducers?: MetricProducer[];
  /** The agentmeter meter: health checks are recorded through it and its namespace names the catalog. */
  meter?: AgentMeter;
  /** Namespace of catalog instruments, for HELP text and health figures (default: the meter's, else env AGENTMETER_NAMESPACE, else `agentmeter`). */
  namespace?: string;
  /** Dependency checks served on the health endpoint. */
  health?: HealthOptions;
  /** Compress responses for clients that accept gzip (default true). */
  gzip?: boolean;
  /** Emit `target_info` from the resource (default true). */
  targetInfo?: boolean;
  /**
   * Label every sample with its instrumentation scope, `otel_scope_name` and `otel_scope_version`
   * (and `otel_scope_schema_url` when the scope has one), as the OpenTelemetry Prometheus
   * compatibility specification asks (default true; env AGENTMETER_PROMETHEUS_SCOPE_LABELS=false).
   */
  scopeLabels?: boolean;
  /**
   * Serve the OTel GenAI metrics (`gen_ai.client.*`) too. Default false: the catalog's llm, tts and
   * stt families already carry the same measurements under Prometheus names, so /metrics does not
   * pay for them twice; OTLP push carries them (env AGENTMETER_PROMETHEUS_GENAI_METRICS=true).
   */
  genAiMetrics?: boolean;
  /** Environment to read `AGENTMETER_*` variables from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ResolvedOptions extends ResolvedEndpoint {
  readonly jsonEndpoint: string | undefined;
  readonly healthEndpoint: string | undefined;
  readonly shareWindowMs: number;
  readonly maxConcurrentScrapes: number;
  readonly producers: MetricProducer[];
  readonly meter: AgentMeter | undefined;
  readonly namespace: string;
  readonly gzip: boolean;
  readonly targetInfo: boolean;
  readonly scopeLabels: boolean;
  readonly genAiMetrics: boolean;
}

const WHERE = '@agentmeter/prometheus';
export const DEFAULT_SHARE_WINDOW_MS = 1000;
export const DEFAULT_MAX_CONCURRENT_SCRAPES = 16;

function fail(message: string): never {
  throw new AgentMeterConfigError(`${WHERE}: ${message}`);
}

function resolveInteger(given: unknown, fallback: number, option: string, [min, max]: [number, number]): number {
  if (given === undefined) return fallback;
  if (typeof given !== 'number' || !Number.isInteger(given) || given < min || given > max) {
    fail(`${option} must be a whole number from ${min} to ${max}; got ${show(given)}`);
  }
  return given;
}

function resolvePath(given: unknown, fallback: string, option: string): string {
  const path = given ?? fallback;
  if (!isEndpointPath(path))
    fail(`${option} must be a path starting with / (visible ASCII, no spaces, query or fragment); got ${show(path)}`);
  return path;
}

function resolveOptionalPath(given: unknown, fallback: string, option: string): string | undefined {
  return given === false ? undefined : resolvePath(given, fallback, option);
}

function resolveProducers(given: unknown, meter: AgentMeter | undefined): MetricProducer[] {
  if (given === undefined) return meter?.metricProducer !== undefined ? [meter.metricProducer] : [];
  if (
    !Array.isArray(given) ||
    given.some((producer) => typeof (producer as MetricProducer | undefined)?.collect !== 'function')
  ) {
    fail(
      'metricProducers must be an array of MetricProducers, e.g. [meter.metricProducer]; a meter created with meterProvider has none',
    );
  }
  return given as MetricProducer[];
}

function resolveBoolean(given: unknown, fallback: boolean, option: string): boolean {
  if (given === undefined) return fallback;
  if (typeof given !== 'boolean') fail(`${option} must be true or false; got ${show(given)}`);
  return given;
}

function envBoolean(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  return fail(`${name} must be true or false; got ${show(value)}`);
}

/** Validates options once, at construction, with messages that say what to change. */
export function resolveOptions(options: PrometheusExporterOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  const env = options.env ?? process.env;
  const meter = options.meter;
  if (meter !== undefined && typeof meter?.recordHealthCheck !== 'function') {
    fail('meter must be an AgentMeter from createAgentMeter()');
  }
  const endpointOptions = resolveEndpoint(options, env, WHERE);
  const namespace = options.namespace ?? meter?.namespace ?? env['AGENTMETER_NAMESPACE'] ?? 'agentmeter';
  if (typeof namespace !== 'string' || namespace === '')
    fail(`namespace must be a non-empty string; got ${show(namespace)}`);
  const { endpoint } = endpointOptions;
  const jsonEndpoint = resolveOptionalPath(options.jsonEndpoint, '/api/metrics', 'jsonEndpoint');
  const healthEndpoint = resolveOptionalPath(options.healthEndpoint, '/api/health', 'healthEndpoint');
  const paths = [endpoint, jsonEndpoint, healthEndpoint].filter((path) => path !== undefined);
  if (new Set(paths).size !== paths.length)
    fail(`endpoint, jsonEndpoint and healthEndpoint must differ; got ${paths.join(', ')}`);
  return {
    ...endpointOptions,
    namespace,
    jsonEndpoint,
    healthEndpoint,
    meter,
    shareWindowMs: resolveInteger(options.shareWindowMs, DEFAULT_SHARE_WINDOW_MS, 'shareWindowMs', [0, 60_000]),
    maxConcurrentScrapes: resolveInteger(
      options.maxConcurrentScrapes,
      DEFAULT_MAX_CONCURRENT_SCRAPES,
      'maxConcurrentScrapes',
      [1, 10_000],
    ),
    producers: resolveProducers(options.metricProducers, meter),
    gzip: resolveBoolean(options.gzip, true, 'gzip'),
    targetInfo: resolveBoolean(options.targetInfo, true, 'targetInfo'),
    scopeLabels: resolveBoolean(
      options.scopeLabels ??
        envBoolean(env['AGENTMETER_PROMETHEUS_SCOPE_LABELS'], 'AGENTMETER_PROMETHEUS_SCOPE_LABELS'),
      true,
      'scopeLabels',
    ),
    genAiMetrics: resolveBoolean(
      options.genAiMetrics ??
        envBoolean(env['AGENTMETER_PROMETHEUS_GENAI_METRICS'], 'AGENTMETER_PROMETHEUS_GENAI_METRICS'),
      false,
      'genAiMetrics',
    ),
  };
}
