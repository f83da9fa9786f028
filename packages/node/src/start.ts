import type { IncomingMessage } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { AgentMeterConfigError, createAgentMeter } from '@agentmeter/core';
import { addInstrumentSource, AgentMeterProducer } from '@agentmeter/core/internal';
import type { AgentMeter } from '@agentmeter/core';
import { context, diag, logs, metrics, propagation, trace } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { IMetricReader, MetricProducer } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { createMetricsMerge } from './cluster/roles.ts';
import type { MetricsMerge } from './cluster/roles.ts';
import { resolveStart } from './config.ts';
import { setupDiag } from './diag.ts';
import { createHttp, tracingWanted } from './http.ts';
import type { HttpSetup } from './http.ts';
import { createOtlpPush } from './otlp.ts';
import { createPrometheusEndpoint } from './prometheus-endpoint.ts';
import type { PrometheusEndpoint } from './prometheus-endpoint.ts';
import { detectResource, resourceAttributesFrom } from './resource.ts';
import { createGcInstrumentation, createHostMetricsInstrumentation, createRuntimeInstrumentation } from './runtime.ts';
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
    if (
      typeof options.meter !== 'object' ||
      options.meter === null ||
      typeof options.meter.trackRequest !== 'function'
    ) {
      throw new AgentMeterConfigError('@agentmeter/node start(): meter must be an AgentMeter from createAgentMeter()');
    }
    return options.meter;
  }
  const { namespace, attributes, seriesLimit, maxAttributeLength, exemplars, genAiMetrics, clock } = options;
  return createAgentMeter({ namespace, attributes, seriesLimit, maxAttributeLength, exemplars, genAiMetrics, clock });
}

/** The meter's series limit (validated when the meter was created), for the HTTP instruments too. */
function seriesLimitOf(options: StartOptions): number {
  if (typeof options.seriesLimit === 'number') return options.seriesLimit;
  const fromEnv = Number(process.env['AGENTMETER_SERIES_LIMIT']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 2_000;
}

/** Patches node:http even when it was imported before start(), ESM named imports included. */
function patchLoadedHttp(): void {
  const require = createRequire(import.meta.url);
  require('node:http');
  require('node:https');
  syncBuiltinESMExports();
}

/** Resolves 'done' when `work` settles, or 'late' at the deadline (the timer never holds the process). */
function beforeDeadline(work: Promise<unknown>, deadline: number): Promise<'done' | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()) + 50);
    timer.unref();
  });
  return Promise.race([work.then(() => 'done' as const), late]).finally(() => clearTimeout(timer));
}

/**
 * Starts agentmeter: the meter, the OpenTelemetry Node SDK with HTTP, runtime and host metrics,
 * a /metrics server and OTLP push. A second call returns the running handle with one warning.
 * Configuration mistakes throw AgentMeterConfigError before anything starts.
 */
export function start(options?: StartOptions): AgentMeterHandle {
  const running = runningHandle();
  if (running !== undefined) {
    diag.warn(
      'agentmeter: start() was already called; returning the running handle and ignoring the new options. Call shutdown() first to start again with other options.',
    );
    return running;
  }
  const config = resolveStart(options);
  const given = options ?? {};
  const resourceAttributes = resourceAttributesFrom(given);
  const meter = meterFrom(given);
  setupDiag(given.diagLogger);

  // Instrumentations patch modules as soon as they are built, so none is built when the SDK is disabled.
  const enabled = !config.disabled;
  // oxlint-disable-next-line unicorn/consistent-function-scoping -- replaced once the endpoint exists
  let ownsRequest: (request: IncomingMessage) => boolean = () => false;
  const http: HttpSetup | undefined =
    enabled && config.http !== undefined
      ? createHttp(config.http, {
          tracing: tracingWanted(config.http.tracing, process.env),
          express: config.express,
          exemplars: given.exemplars !== false,
          seriesLimit: seriesLimitOf(given),
          isOwnRequest: (request) => ownsRequest(request),
        })
      : undefined;
  // The HTTP instruments are reported by the meter's producer, so every reader given the meter has them.
  const removeHttpSource = http === undefined ? undefined : addInstrumentSource(meter, http.metrics);
  const producers: MetricProducer[] = meter.metricProducer === undefined ? [] : [meter.metricProducer];
  if (http !== undefined && removeHttpSource === undefined) {
    const own = new AgentMeterProducer(
      () => [],
      () => {},
    );
    own.addSource(http.metrics);
    producers.push(own);
  }
  const readers: IMetricReader[] = config.disabled ? [] : [...(given.metricReaders ?? [])];
  // The /metrics of a cluster is the primary's: workers and worker threads hand it their data.
  const merge: MetricsMerge | undefined =
    config.prometheus !== undefined && !config.disabled
      ? createMetricsMerge(
          {
            enabled: config.cluster.merge,
            timeoutMillis: config.cluster.timeoutMillis,
            namespace: meter.namespace,
            port: config.prometheus.port,
          },
          producers,
        )
      : undefined;
  if (merge !== undefined) readers.push(merge.reader);
  const prometheus: PrometheusEndpoint | undefined =
    merge?.producer !== undefined && config.prometheus !== undefined
      ? createPrometheusEndpoint(config.prometheus, meter, merge.producer)
      : undefined;
  if (prometheus !== undefined) {
    ownsRequest = (request) => prometheus.owns(request);
    http?.ignoreServer(prometheus.server);
  }
  const otlp = config.otlp !== undefined && !config.disabled ? createOtlpPush(config.otlp, producers) : undefined;
  if (otlp !== undefined) readers.push(otlp.reader);

  const instrumentations: Instrumentation[] = enabled
    ? [
        ...(http ? http.instrumentations : []),
        ...(config.runtime ? [createRuntimeInstrumentation(config.runtime.eventLoopDelayResolutionMillis)] : []),
        ...(config.runtime?.gc === true ? [createGcInstrumentation()] : []),
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
    http?.start();
    // instrumentation-http (tracing mode) patches node:http; the metrics path needs no patch.
    if (
      http?.instrumentations.some(
        (instrumentation) => instrumentation.instrumentationName === '@opentelemetry/instrumentation-http',
      )
    )
      patchLoadedHttp();
  }

  let prometheusUrl: string | undefined;
  let port = config.prometheus?.port;
  const ready =
    prometheus === undefined || merge === undefined
      ? Promise.resolve()
      : // host.id arrives asynchronously; scrapes start only once the resource is complete. A
        // cluster worker listens only when no primary merges its data.
        Promise.all([resource.waitForAsyncAttributes?.(), merge.serving])
          .then(([, serving]) => {
            if (serving === undefined) return undefined;
            port = serving.port;
            return prometheus.listen(serving.port);
          })
          .then(
            (url) => {
              prometheusUrl = url;
            },
            (error: Error) => {
              const reason = error.cause instanceof Error ? error.cause.message : error.message;
              diag.warn(
                `agentmeter: the /metrics server could not listen on ${config.prometheus?.host}:${port} (${reason}); set prometheus.port or AGENTMETER_PROMETHEUS_PORT to a free port`,
              );
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
      await Promise.all(
        readers.map((reader) =>
          reader.forceFlush().catch((error: Error) => {
            diag.warn(`agentmeter: flush failed (${error.message})`);
          }),
        ),
      );
    },
    shutdown: () => {
      stopped ??= (async () => {
        // One budget for the whole shutdown (shutdownTimeoutMillis), well inside Kubernetes' 30 s grace period.
        const deadline = Date.now() + config.shutdownTimeoutMillis;
        otlp?.stop(config.shutdownTimeoutMillis);
        if (runningHandle() === handle) delete (globalThis as Running)[RUNNING];
        for (const instrumentation of instrumentations) instrumentation.disable();
        http?.stop();
        await ready;
        // A worker's final totals go to the primary while its SDK can still collect them.
        await merge?.close();
        const sdkDone = sdk
          .shutdown()
          .catch((error: Error) => diag.warn(`agentmeter: shutdown did not complete cleanly (${error.message})`));
        if ((await beforeDeadline(sdkDone, deadline)) === 'late') {
          diag.warn(
            `agentmeter: the SDK did not shut down within shutdownTimeoutMillis (${config.shutdownTimeoutMillis} ms); going on without waiting`,
          );
        }
        await prometheus?.close();
        // After the final push, which still reports the HTTP metrics.
        removeHttpSource?.();
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
  const handle = Object.defineProperties(
    Object.create(meter) as AgentMeter,
    Object.getOwnPropertyDescriptors(own),
  ) as AgentMeterHandle;
  (globalThis as Running)[RUNNING] = handle;
  return handle;
}
