import type { AgentMeter } from '@agentmeter/core';
import type { MetricProducer, MetricReaderOptions } from '@opentelemetry/sdk-metrics';
import type { HealthOptions } from './health/runner.ts';

export interface PrometheusExporterOptions extends Pick<MetricReaderOptions, 'aggregationSelector' | 'cardinalitySelector'> {
  /** Host `start()` listens on (default `127.0.0.1`; env AGENTMETER_PROMETHEUS_HOST). Use `0.0.0.0` to expose it. */
  host?: string;
  /** Port `start()` listens on (default 9464; env AGENTMETER_PROMETHEUS_PORT; 0 picks a free port). */
  port?: number;
  /** Path of the Prometheus endpoint (default `/metrics`). */
  endpoint?: string;
  /** Path of the JSON snapshot (default `/api/metrics`; false turns it off). */
  jsonEndpoint?: string | false;
  /** Path of the health endpoint (default `/api/health`; false turns it off). */
  healthEndpoint?: string | false;
  /** Bearer token required on the metrics endpoints (env AGENTMETER_METRICS_TOKEN). Never logged. */
  token?: string;
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

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly endpoint: string;
  readonly jsonEndpoint: string | undefined;
  readonly healthEndpoint: string | undefined;
  readonly token: string | undefined;
  readonly producers: MetricProducer[];
  readonly meter: AgentMeter | undefined;
  readonly namespace: string;
  readonly gzip: boolean;
  readonly targetInfo: boolean;
  readonly scopeLabels: boolean;
  readonly genAiMetrics: boolean;
}

/** A bad option as the message shows it; BigInt, throwing getters and proxies cannot make this throw. */
function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return `a ${typeof value}`;
  }
}

function fail(message: string): never {
  throw new TypeError(`@agentmeter/prometheus: ${message}`);
}

function resolvePort(given: unknown, env: string | undefined): number {
  const source = given ?? (env !== undefined && env.trim() !== '' ? Number(env) : 9464);
  if (typeof source !== 'number' || !Number.isInteger(source) || source < 0 || source > 65535) {
    fail(`port must be an integer from 0 to 65535 (option port or AGENTMETER_PROMETHEUS_PORT); got ${show(given ?? env)}`);
  }
  return source;
}

function resolvePath(given: unknown, fallback: string, option: string): string {
  const path = given ?? fallback;
  if (typeof path !== 'string' || !/^\/[^\s?#]*$/.test(path)) {
    fail(`${option} must be a path starting with / (no spaces, query or fragment); got ${show(path)}`);
  }
  return path;
}

function resolveOptionalPath(given: unknown, fallback: string, option: string): string | undefined {
  return given === false ? undefined : resolvePath(given, fallback, option);
}

function resolveToken(given: unknown, env: string | undefined): string | undefined {
  const token = given ?? (env !== undefined && env !== '' ? env : undefined);
  if (token === undefined) return undefined;
  // The message names the problem, never the value.
  if (typeof token !== 'string' || token.length === 0 || token.length > 4096 || /\s/.test(token)) {
    fail('token (or AGENTMETER_METRICS_TOKEN) must be a non-empty string of at most 4096 characters without whitespace');
  }
  return token;
}

function resolveProducers(given: unknown, meter: AgentMeter | undefined): MetricProducer[] {
  if (given === undefined) return meter?.metricProducer !== undefined ? [meter.metricProducer] : [];
  if (!Array.isArray(given) || given.some((producer) => typeof (producer as MetricProducer | undefined)?.collect !== 'function')) {
    fail('metricProducers must be an array of MetricProducers, e.g. [meter.metricProducer]; a meter created with meterProvider has none');
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
  const host = options.host ?? env['AGENTMETER_PROMETHEUS_HOST'] ?? '127.0.0.1';
  if (typeof host !== 'string' || host.trim() === '') fail(`host must be a host name or address; got ${show(host)}`);
  const namespace = options.namespace ?? meter?.namespace ?? env['AGENTMETER_NAMESPACE'] ?? 'agentmeter';
  if (typeof namespace !== 'string' || namespace === '') fail(`namespace must be a non-empty string; got ${show(namespace)}`);
  const endpoint = resolvePath(options.endpoint, '/metrics', 'endpoint');
  const jsonEndpoint = resolveOptionalPath(options.jsonEndpoint, '/api/metrics', 'jsonEndpoint');
  const healthEndpoint = resolveOptionalPath(options.healthEndpoint, '/api/health', 'healthEndpoint');
  const paths = [endpoint, jsonEndpoint, healthEndpoint].filter((path) => path !== undefined);
  if (new Set(paths).size !== paths.length) fail(`endpoint, jsonEndpoint and healthEndpoint must differ; got ${paths.join(', ')}`);
  return {
    host, namespace, endpoint, jsonEndpoint, healthEndpoint, meter,
    port: resolvePort(options.port, env['AGENTMETER_PROMETHEUS_PORT']),
    token: resolveToken(options.token, env['AGENTMETER_METRICS_TOKEN']),
    producers: resolveProducers(options.metricProducers, meter),
    gzip: resolveBoolean(options.gzip, true, 'gzip'),
    targetInfo: resolveBoolean(options.targetInfo, true, 'targetInfo'),
    scopeLabels: resolveBoolean(options.scopeLabels ?? envBoolean(env['AGENTMETER_PROMETHEUS_SCOPE_LABELS'], 'AGENTMETER_PROMETHEUS_SCOPE_LABELS'), true, 'scopeLabels'),
    genAiMetrics: resolveBoolean(options.genAiMetrics ?? envBoolean(env['AGENTMETER_PROMETHEUS_GENAI_METRICS'], 'AGENTMETER_PROMETHEUS_GENAI_METRICS'), false, 'genAiMetrics'),
  };
}
