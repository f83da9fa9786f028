import { isMainThread } from 'node:worker_threads';
import { AgentMeterConfigError } from '@agentmeter/core';
import { resolveEndpoint, type ResolvedEndpoint } from '@agentmeter/prometheus/internal';
import type { HttpOptions, StartOptions } from './types.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface ResolvedPrometheus extends ResolvedEndpoint {
  readonly scopeLabels: boolean | undefined;
  /** Checked by the exporter, which owns the health options, when start() creates it. */
  readonly health: StartOptions['health'];
}
export type OtlpProtocol = 'http/protobuf' | 'grpc' | 'http/json';
export type OtlpCompression = 'gzip' | 'none';
export interface ResolvedOtlp {
  readonly url: string;
  readonly protocol: OtlpProtocol;
  readonly headers: Record<string, string> | undefined;
  /** Undefined: the exporter reads OTEL_EXPORTER_OTLP_(METRICS_)COMPRESSION itself (default none). */
  readonly compression: OtlpCompression | undefined;
  readonly intervalMillis: number;
  readonly timeoutMillis: number;
  /** The time limit of one request: OTEL_EXPORTER_OTLP_(METRICS_)TIMEOUT, else 80% of timeoutMillis. */
  readonly requestTimeoutMillis: number;
  /** OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION=base2_exponential_bucket_histogram: the SDK's histograms go out exponential. */
  readonly exponentialHistograms: boolean;
}

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'grpc', 'http/json'];
const COMPRESSIONS: readonly OtlpCompression[] = ['gzip', 'none'];

/** The option, else the metrics-specific variable, else the general one; the name says where it came from. */
function pickSetting(
  option: unknown,
  optionName: string,
  env: Env,
  variable: string,
): { value: unknown; from: string } | undefined {
  if (option !== undefined) return { value: option, from: optionName };
  const specific = `OTEL_EXPORTER_OTLP_METRICS_${variable}`;
  if (env[specific]?.trim()) return { value: env[specific].trim().toLowerCase(), from: specific };
  const general = `OTEL_EXPORTER_OTLP_${variable}`;
  if (env[general]?.trim()) return { value: env[general].trim().toLowerCase(), from: general };
  return undefined;
}

function oneOf<T extends string>(
  setting: { value: unknown; from: string } | undefined,
  allowed: readonly T[],
): T | undefined {
  if (setting === undefined) return undefined;
  if (!allowed.includes(setting.value as T))
    fail(`${setting.from} must be one of ${allowed.join(', ')}; got ${show(setting.value)}`);
  return setting.value as T;
}
export interface ResolvedCluster {
  /** false: each cluster worker and worker thread serves its own /metrics. */
  readonly merge: boolean;
  readonly timeoutMillis: number;
}
export interface ResolvedStart {
  readonly disabled: boolean;
  readonly cluster: ResolvedCluster;
  readonly prometheus: ResolvedPrometheus | undefined;
  readonly otlp: ResolvedOtlp | undefined;
  readonly http: HttpOptions | undefined;
  readonly express: boolean;
  /** undefined: no runtime metrics. */
  readonly runtime: { readonly gc: boolean; readonly eventLoopDelayResolutionMillis: number } | undefined;
  readonly hostMetrics: boolean;
  readonly shutdownTimeoutMillis: number;
}

const EXPORTERS = ['prometheus', 'otlp', 'none'];

function fail(message: string): never {
  throw new AgentMeterConfigError(`@agentmeter/node start(): ${message}`);
}

export function show(value: unknown): string {
  // BigInt, throwing getters and proxies must not turn a clear config error into a TypeError.
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 120);
  } catch {
    return `a ${typeof value}`;
  }
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
}

/** An option must be a number; its environment variable is parsed from text. */
function integer(
  name: string,
  option: unknown,
  envName: string,
  envValue: string | undefined,
  range: [number, number],
  fallback: number,
): number {
  const [min, max] = range;
  const fromEnv = option === undefined && envValue !== undefined && envValue.trim() !== '';
  if (option === undefined && !fromEnv) return fallback;
  const number = fromEnv ? Number(envValue.trim()) : option;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    fail(
      `${fromEnv ? envName : name} must be a whole number from ${min} to ${max}; got ${show(fromEnv ? envValue : option)}`,
    );
  }
  return number;
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(`${name} must be true or false; got ${show(value)}`);
  return value;
}

const RUNTIME_KEYS: readonly string[] = ['gc', 'eventLoopDelayResolutionMillis'];
/**
 * Twice OpenTelemetry's and prom-client's 10 ms: each sample is a timer that wakes a sleeping loop,
 * and at 10 ms those wake-ups cost an Express service at partial load 2-3% of its CPU per request
 * (docs/node.md, Overhead). A stall longer than 20 ms is still always seen.
 */
export const DEFAULT_EVENT_LOOP_RESOLUTION_MILLIS = 20;

function resolveRuntime(value: unknown, env: Env): ResolvedStart['runtime'] {
  if (value === false) return undefined;
  const given = value === undefined || value === true ? {} : value;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    fail(`runtime must be true, false or an object such as { gc: true }; got ${show(value)}`);
  }
  for (const key of Object.keys(given)) {
    if (!RUNTIME_KEYS.includes(key)) fail(`runtime takes only { ${RUNTIME_KEYS.join(', ')} }; remove ${show(key)}`);
  }
  const options = given as { gc?: unknown; eventLoopDelayResolutionMillis?: unknown };
  return {
    gc: flag('runtime.gc', options.gc, false),
    eventLoopDelayResolutionMillis: integer(
      'runtime.eventLoopDelayResolutionMillis',
      options.eventLoopDelayResolutionMillis,
      'AGENTMETER_EVENT_LOOP_RESOLUTION',
      env['AGENTMETER_EVENT_LOOP_RESOLUTION'],
      [1, 1_000],
      DEFAULT_EVENT_LOOP_RESOLUTION_MILLIS,
    ),
  };
}

function objectOrFalse<T>(name: string, value: T | false | undefined): T | false | undefined {
  if (value === undefined || value === false) return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${name} must be an options object or false; got ${show(value)}`);
  }
  return value;
}

/** Validates an OTLP URL now, so a typo fails at start() rather than as silent export errors. */
export function otlpUrl(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    fail(`${name} must be an http(s) URL such as http://localhost:4318/v1/metrics; got ${show(value)}`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch (cause) {
    throw new AgentMeterConfigError(
      `@agentmeter/node start(): ${name} is not a valid URL: ${show(value)}; use a full URL such as http://localhost:4318/v1/metrics`,
      { cause },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(`${name} must use http: or https: (OTLP/HTTP); got ${show(url.protocol)} in ${show(value)}`);
  }
  return url.href;
}

function resolveOtlp(given: StartOptions['otlp'], env: Env, wanted: boolean | undefined): ResolvedOtlp | undefined {
  const options = objectOrFalse('otlp', given);
  if (options === false || wanted === false) return undefined;
  const protocol =
    oneOf(pickSetting(options?.protocol, 'otlp.protocol', env, 'PROTOCOL'), PROTOCOLS) ?? 'http/protobuf';
  let url: string | undefined;
  if (options?.endpoint !== undefined) url = otlpUrl('otlp.endpoint', options.endpoint);
  else if (env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT']) {
    url = otlpUrl('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT']);
  } else if (env['OTEL_EXPORTER_OTLP_ENDPOINT']) {
    const base = otlpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', env['OTEL_EXPORTER_OTLP_ENDPOINT']);
    // OTLP/HTTP appends the signal's path to the base endpoint; gRPC takes it as it is.
    url = protocol === 'grpc' ? base : base.replace(/\/?$/, '/v1/metrics');
  }
  if (url === undefined) {
    if (wanted === true)
      fail(
        'OTEL_METRICS_EXPORTER asks for otlp, but no endpoint is set: set OTEL_EXPORTER_OTLP_ENDPOINT or otlp.endpoint',
      );
    return undefined;
  }
  const headers = options?.headers;
  if (
    headers !== undefined &&
    (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string'))
  ) {
    fail('otlp.headers must be an object of string values');
  }
  const intervalMillis = integer(
    'otlp.intervalMillis',
    options?.intervalMillis,
    'OTEL_METRIC_EXPORT_INTERVAL',
    env['OTEL_METRIC_EXPORT_INTERVAL'],
    [100, 86_400_000],
    60_000,
  );
  const timeoutMillis = integer(
    'otlp.timeoutMillis',
    options?.timeoutMillis,
    'OTEL_METRIC_EXPORT_TIMEOUT',
    env['OTEL_METRIC_EXPORT_TIMEOUT'],
    [1, 86_400_000],
    Math.min(30_000, intervalMillis),
  );
  if (timeoutMillis > intervalMillis) {
    fail(
      `otlp.timeoutMillis (${timeoutMillis}) must not exceed otlp.intervalMillis (${intervalMillis}); lower the timeout or raise the interval`,
    );
  }
  const compression = oneOf(pickSetting(options?.compression, 'otlp.compression', env, 'COMPRESSION'), COMPRESSIONS);
  const requestTimeout = pickSetting(undefined, '', env, 'TIMEOUT');
  // Shorter than the reader's limit by default, so a hung Collector fails in the exporter (one
  // warning) rather than in the reader, which would log every timed-out push.
  const requestTimeoutMillis =
    requestTimeout === undefined
      ? Math.max(1, Math.floor(timeoutMillis * 0.8))
      : integer('', undefined, requestTimeout.from, String(requestTimeout.value), [1, 86_400_000], 0);
  if (requestTimeoutMillis > timeoutMillis) {
    fail(
      `${requestTimeout?.from} (${requestTimeoutMillis}) must not exceed the push time limit (${timeoutMillis} ms, otlp.timeoutMillis or OTEL_METRIC_EXPORT_TIMEOUT); lower one or raise the other`,
    );
  }
  const aggregation = oneOf(
    pickSetting(
      undefined,
      '',
      {
        OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION:
          env['OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION'],
      },
      'DEFAULT_HISTOGRAM_AGGREGATION',
    ),
    ['explicit_bucket_histogram', 'base2_exponential_bucket_histogram'],
  );
  const exponentialHistograms = aggregation === 'base2_exponential_bucket_histogram';
  return {
    url,
    protocol,
    headers,
    compression,
    intervalMillis,
    timeoutMillis,
    requestTimeoutMillis,
    exponentialHistograms,
  };
}

function resolvePrometheus(
  given: StartOptions['prometheus'],
  env: Env,
  wanted: boolean,
): Omit<ResolvedPrometheus, 'health'> | undefined {
  const options = objectOrFalse('prometheus', given);
  if (options === false || !wanted) return undefined;
  const scopeLabels = options?.scopeLabels;
  if (scopeLabels !== undefined && typeof scopeLabels !== 'boolean')
    fail(`prometheus.scopeLabels must be true or false; got ${show(scopeLabels)}`);
  // One validation and one set of defaults for the endpoint, shared with PrometheusExporter.
  return { ...resolveEndpoint(options ?? {}, env, '@agentmeter/node start()', 'prometheus.'), scopeLabels };
}

function withHealth(
  prometheus: Omit<ResolvedPrometheus, 'health'> | undefined,
  health: StartOptions['health'],
): ResolvedPrometheus | undefined {
  if (prometheus === undefined) {
    if (health !== undefined)
      fail(
        'health needs the /metrics server, which is off (prometheus: false, or OTEL_METRICS_EXPORTER without prometheus); turn it on or mount a PrometheusExporter({ health }) yourself',
      );
    return undefined;
  }
  return { ...prometheus, health };
}

function resolveCluster(given: StartOptions['cluster'], env: Env): ResolvedCluster {
  const options = objectOrFalse('cluster', given);
  const timeoutMillis = integer(
    'cluster.timeoutMillis',
    options === false ? undefined : options?.timeoutMillis,
    'AGENTMETER_CLUSTER_TIMEOUT',
    env['AGENTMETER_CLUSTER_TIMEOUT'],
    [1, 60_000],
    2000,
  );
  return { merge: options !== false, timeoutMillis };
}

/** Options win over environment variables, which win over defaults. Mistakes throw AgentMeterConfigError. */
export function resolveStart(options: StartOptions | undefined, env: Env = process.env): ResolvedStart {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    fail(`takes an options object or nothing; got ${show(options)}`);
  }
  const given = options ?? {};
  const exporters = list(env['OTEL_METRICS_EXPORTER']);
  for (const exporter of exporters) {
    if (!EXPORTERS.includes(exporter))
      fail(`OTEL_METRICS_EXPORTER has ${show(exporter)}; use a comma list of prometheus, otlp, none`);
  }
  const fromEnv = exporters.length > 0 && !exporters.includes('none');
  const disabledByEnv = list(env['OTEL_NODE_DISABLED_INSTRUMENTATIONS']);
  const http = objectOrFalse('http', given.http);
  for (const key of ['ignoreIncoming', 'ignoreOutgoing', 'ignoreOutgoingFetch'] as const) {
    if (http && http[key] !== undefined && typeof http[key] !== 'function') fail(`http.${key} must be a function`);
  }
  for (const key of ['activeRequests', 'client', 'tracing'] as const) if (http) flag(`http.${key}`, http[key], true);
  if (given.instrumentations !== undefined && !Array.isArray(given.instrumentations))
    fail('instrumentations must be an array');
  if (
    given.metricReaders !== undefined &&
    (!Array.isArray(given.metricReaders) || given.metricReaders.some((reader) => typeof reader?.collect !== 'function'))
  ) {
    fail('metricReaders must be an array of OpenTelemetry MetricReaders');
  }
  return {
    disabled: list(env['OTEL_SDK_DISABLED']).includes('true'),
    cluster: resolveCluster(given.cluster, env),
    prometheus: withHealth(
      resolvePrometheus(given.prometheus, env, exporters.length === 0 || exporters.includes('prometheus')),
      given.health,
    ),
    otlp: resolveOtlp(given.otlp, env, exporters.length === 0 ? undefined : fromEnv && exporters.includes('otlp')),
    http:
      http === false || disabledByEnv.includes('http') ? undefined : { activeRequests: true, client: true, ...http },
    express: flag('express', given.express, true) && !disabledByEnv.includes('express'),
    runtime: disabledByEnv.includes('runtime-node') ? undefined : resolveRuntime(given.runtime, env),
    // Host metrics describe the whole process: the main thread reports them, worker threads do not by default.
    hostMetrics: flag('hostMetrics', given.hostMetrics, isMainThread) && !disabledByEnv.includes('host-metrics'),
    shutdownTimeoutMillis: integer(
      'shutdownTimeoutMillis',
      given.shutdownTimeoutMillis,
      'AGENTMETER_SHUTDOWN_TIMEOUT',
      env['AGENTMETER_SHUTDOWN_TIMEOUT'],
      [1, 600_000],
      5_000,
    ),
  };
}
