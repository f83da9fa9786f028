import { createRequire, syncBuiltinESMExports } from 'node:module';
import { AgentMeterConfigError, createAgentMeter } from '@agentmeter/core';
import type { AgentMeter } from '@agentmeter/core';
import { context, diag, logs, metrics, propagation, trace } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { IMetricReader, MetricProducer } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { createMetricsMerge } from './cluster/roles.ts';
import type { MetricsMerge } from './cluster/roles.ts';
import { resolveStart } from './config.ts';
import { setupDiag } from './diag.ts';
import { createHttpInstrumentation } from './http.ts';
import { createOtlpReader } from './otlp.ts';
import { createPrometheusEndpoint } from './prometheus-endpoint.ts';
import type { PrometheusEndpoint } from './prometheus-endpoint.ts';
import { detectResource, resourceAttributesFrom } from './resource.ts';
import { createExpressInstrumentation, createHostMetricsInstrumentation, createRuntimeInstrumentation } from './runtime.ts';
import type { AgentMeterHandle, HandleControls, StartOptions } from './types.ts';

// On globalThis, so the ESM and CJS builds of this package share one running instance.
const RUNNING = Symbol.for('@agentmeter/node.running');
type Running = { [RUNNING]?: AgentMeterHandle };

/** The handle of the running start(), if any (for code that runs under `--import @agentmeter/node/register`). */
export function runningHandle(): AgentMeterHandle | undefined {
  return (globalThis as Running)[RUNNING];
}

function meterFrom(options: StartOptions): AgentMeter {
  if (options.meter !== undefined) {
    if (typeof options.meter !== 'object' || options.meter === null || typeof options.meter.trackRequest !== 'function') {
      throw new AgentMeterConfigError('@agentmeter/node start(): meter must be an AgentMeter from createAgentMeter()');
    }
    return options.meter;
  }
  const { namespace, attributes, seriesLimit, maxAttributeLength, exemplars, clock } = options;
  return createAgentMeter({ namespace, attributes, seriesLimit, maxAttributeLength, exemplars, clock });
}

/** Patches node:http even when it was imported before start(), ESM named imports included. */
function patchLoadedHttp(): void {
  const require = createRequire(import.meta.url);
  require('node:http');
  require('node:https');
  syncBuiltinESMExports();
}

/**
 * Starts agentmeter: the meter, the OpenTelemetry Node SDK with HTTP, runtime and host metrics,
 * a /metrics server and OTLP push. A second call returns the running handle with one warning.
 * Configuration mistakes throw AgentMeterConfigError before anything starts.
 */
export function start(options?: StartOptions): AgentMeterHandle {
  const running = runningHandle();
  if (running !== undefined) {
    diag.warn('agentmeter: start() was already called; returning the running handle and ignoring the new options. Call shutdown() first to start again with other options.');
    return running;
  }
  const config = resolveStart(options);
  const given = options ?? {};
  const resourceAttributes = resourceAttributesFrom(given);
  const meter = meterFrom(given);
  setupDiag(given.diagLogger);

  const producers: MetricProducer[] = meter.metricProducer === undefined ? [] : [meter.metricProducer];
  const readers: IMetricReader[] = config.disabled ? [] : [...(given.metricReaders ?? [])];
  // The /metrics of a cluster is the primary's: workers and worker threads hand it their data.
  const merge: MetricsMerge | undefined = config.prometheus !== undefined && !config.disabled
    ? createMetricsMerge({ enabled: config.cluster.merge, timeoutMillis: config.cluster.timeoutMillis, namespace: meter.namespace, port: config.prometheus.port }, producers)
    : undefined;
  if (merge !== undefined) readers.push(merge.reader);
  const prometheus: PrometheusEndpoint | undefined = merge?.producer !== undefined && config.prometheus !== undefined
    ? createPrometheusEndpoint(config.prometheus, meter, merge.producer)
    : undefined;
  if (config.otlp !== undefined && !config.disabled) readers.push(createOtlpReader(config.otlp, producers));

  // Instrumentations patch modules as soon as they are built, so none is built when the SDK is disabled.
  const enabled = !config.disabled;
  const http = enabled && config.http !== undefined
    ? createHttpInstrumentation(config.http, (request) => prometheus?.owns(request) === true)
    : undefined;
  const instrumentations: Instrumentation[] = enabled
    ? [
        ...(http ? http.instrumentations : []),
        ...(config.express ? [createExpressInstrumentation()] : []),
        ...(config.runtime ? [createRuntimeInstrumentation()] : []),
        ...(config.hostMetrics ? [createHostMetricsInstrumentation()] : []),
        ...(given.instrumentations ?? []),
      ]
    : [];
  const resource = detectResource(resourceAttributes);
  const sdk = new NodeSDK({
    autoDetectResources: false,
    resource: resource as never,
    metricReaders: readers as never,
    instrumentations,
    // Both client instrumentations emit http.client.request.duration; one description keeps
    // Prometheus from seeing two HELP texts for one metric.
    views: [{
      instrumentName: 'http.client.request.duration',
      meterName: '@opentelemetry/instrumentation-undici',
      description: 'Duration of HTTP client requests.',
    }],
    // Traces and logs only when the user asks for them through the standard variables; without
    // traces there is no context to propagate, so no per-request header extraction either.
    ...(process.env['OTEL_TRACES_EXPORTER'] ? {} : { spanProcessors: [] }),
    ...(process.env['OTEL_TRACES_EXPORTER'] || process.env['OTEL_PROPAGATORS'] ? {} : { textMapPropagator: null }),
    ...(process.env['OTEL_LOGS_EXPORTER'] ? {} : { logRecordProcessors: [] }),
  });
  if (enabled) {
    sdk.start();
    // Reused instrumentations were disabled by an earlier shutdown(); enable() is idempotent.
    for (const instrumentation of instrumentations) instrumentation.enable();
    http?.connectMeter();
    if (http) patchLoadedHttp();
  }

  let prometheusUrl: string | undefined;
  let port = config.prometheus?.port;
  const ready = prometheus === undefined || merge === undefined
    ? Promise.resolve()
    // host.id arrives asynchronously; scrapes start only once the resource is complete. A
    // cluster worker listens only when no primary merges its data.
    : Promise.all([resource.waitForAsyncAttributes?.(), merge.serving]).then(([, serving]) => {
        if (serving === undefined) return undefined;
        port = serving.port;
        return prometheus.listen(serving.port);
      }).then(
        (url) => {
          prometheusUrl = url;
        },
        (error: Error) => {
          const reason = error.cause instanceof Error ? error.cause.message : error.message;
          diag.warn(`agentmeter: the /metrics server could not listen on ${config.prometheus?.host}:${port} (${reason}); set prometheus.port or AGENTMETER_PROMETHEUS_PORT to a free port`);
        },
      );

  let stopped: Promise<void> | undefined;
  const own: HandleControls = {
    meter,
    ready,
    get prometheusUrl() {
      return prometheusUrl;
    },
    otlpEndpoint: config.disabled ? undefined : config.otlp?.url,
    forceFlush: async () => {
      await Promise.all(readers.map((reader) => reader.forceFlush().catch((error: Error) => {
        diag.warn(`agentmeter: flush failed (${error.message})`);
      })));
    },
    shutdown: () => {
      stopped ??= (async () => {
        if (runningHandle() === handle) delete (globalThis as Running)[RUNNING];
        for (const instrumentation of instrumentations) instrumentation.disable();
        await ready;
        // A worker's final totals go to the primary while its SDK can still collect them.
        await merge?.close();
        await sdk.shutdown().catch((error: Error) => diag.warn(`agentmeter: shutdown did not complete cleanly (${error.message})`));
        await prometheus?.close();
        // Frees the globals the SDK registered, so a later start() in this process can register again.
        metrics.disable();
        trace.disable();
        logs.disable();
        propagation.disable();
        context.disable();
      })();
      return stopped;
    },
  };
  // The handle is the meter too (`am.trackRequest(...)`): its prototype is the meter.
  const handle = Object.defineProperties(Object.create(meter) as AgentMeter, Object.getOwnPropertyDescriptors(own)) as AgentMeterHandle;
  (globalThis as Running)[RUNNING] = handle;
  return handle;
}
