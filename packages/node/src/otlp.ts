import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonMetricExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { AggregationType, InstrumentType, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type {
  AggregationOption,
  AggregationTemporality,
  IMetricReader,
  MetricProducer,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { ResolvedOtlp } from './config.ts';
import { probe, stoppableAgents, type StoppableAgents } from './otlp-stop.ts';

/**
 * Reports a failing Collector once (not on every interval) and again only after it recovered,
 * so an unreachable endpoint costs one line of log, not one per push. After `stop()`, every push
 * is bounded by the shutdown deadline: a Collector that refuses the connection is not retried at
 * all, and a push still open at the deadline is abandoned (its connection closed).
 */
class GuardedExporter implements PushMetricExporter {
  readonly #inner: PushMetricExporter;
  readonly #url: string;
  readonly #agents: StoppableAgents;
  readonly #pending = new Set<(result: ExportResult) => void>();
  #failing = false;
  #deadline: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #expired: Promise<void> | undefined;

  constructor(inner: PushMetricExporter, url: string, agents: StoppableAgents) {
    this.#inner = inner;
    this.#url = url;
    this.#agents = agents;
  }

  /** Bounds this push and every later one (and the exporter's shutdown) by `timeoutMillis` from now. */
  stop(timeoutMillis: number): void {
    if (this.#deadline !== undefined) return;
    this.#deadline = Date.now() + timeoutMillis;
    this.#expired = new Promise((resolve) => {
      this.#timer = setTimeout(() => {
        this.#agents.stop();
        for (const settle of this.#pending)
          settle({
            code: ExportResultCode.FAILED,
            error: new Error(`not done within the shutdown timeout (${timeoutMillis} ms)`),
          });
        resolve();
      }, timeoutMillis);
      // Nothing to wait for once every push settled: the timer alone must not hold the process.
      this.#timer.unref();
    });
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    let settled = false;
    const settle = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      this.#pending.delete(settle);
      this.#report(result);
      // The reader would log every failure again; the warning is the one report.
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    this.#pending.add(settle);
    const push = (): void => this.#inner.export(metrics, settle);
    if (this.#deadline === undefined) {
      push();
      return;
    }
    // Shutting down: a refused connection ends the final push at once instead of retrying for seconds.
    void probe(this.#url, this.#deadline - Date.now()).then((refusal) => {
      if (refusal === undefined) push();
      else
        settle({
          code: ExportResultCode.FAILED,
          error: new Error(`the connection was refused (${refusal}); not retried during shutdown`),
        });
    });
  }

  #report(result: ExportResult): void {
    if (result.code === ExportResultCode.SUCCESS) {
      if (this.#failing) diag.info(`agentmeter: OTLP metric export to ${this.#url} works again`);
      this.#failing = false;
      return;
    }
    const reason = result.error?.message ?? 'unknown error';
    if (this.#deadline !== undefined) {
      diag.warn(`agentmeter: the final OTLP metric push to ${this.#url} failed (${reason}); shutdown goes on`);
    } else if (!this.#failing) {
      this.#failing = true;
      diag.warn(
        `agentmeter: OTLP metric export to ${this.#url} failed (${reason}); the service keeps running and later pushes retry. ` +
          'Further failures are not logged until an export succeeds.',
      );
    }
  }

  forceFlush(): Promise<void> {
    return this.#bounded(this.#inner.forceFlush());
  }

  async shutdown(): Promise<void> {
    await this.#bounded(this.#inner.shutdown());
    clearTimeout(this.#timer);
  }

  #bounded(work: Promise<void>): Promise<void> {
    return this.#expired === undefined ? work : Promise.race([work, this.#expired]);
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.#inner.selectAggregationTemporality!(instrumentType);
  }

  selectAggregation(instrumentType: InstrumentType): AggregationOption {
    return this.#inner.selectAggregation!(instrumentType);
  }
}

/** Base-2 exponential buckets for histograms, the SDK's default aggregation for the rest. */
const exponentialForHistograms = (type: InstrumentType): AggregationOption =>
  type === InstrumentType.HISTOGRAM
    ? { type: AggregationType.EXPONENTIAL_HISTOGRAM }
    : { type: AggregationType.DEFAULT };

/** OpenTelemetry's own exporter for the configured protocol; headers not given come from OTEL_EXPORTER_OTLP_(METRICS_)HEADERS. */
function createExporter(config: ResolvedOtlp, agents: StoppableAgents): PushMetricExporter {
  const options = {
    url: config.url,
    // Agents that shutdown can close (gRPC manages its own channel; the shutdown deadline still bounds it).
    httpAgentOptions: agents.factory,
    ...(config.headers !== undefined && { headers: config.headers }),
    timeoutMillis: config.requestTimeoutMillis,
    temporalityPreference: AggregationTemporalityPreference.CUMULATIVE,
    ...(config.exponentialHistograms && { aggregationPreference: exponentialForHistograms }),
  };
  const withCompression =
    config.compression === undefined
      ? options
      : {
          ...options,
          compression: config.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
        };
  switch (config.protocol) {
    case 'grpc':
      return new GrpcMetricExporter(withCompression);
    case 'http/json':
      return new JsonMetricExporter(withCompression);
    default:
      return new ProtobufMetricExporter(withCompression);
  }
}

export interface OtlpPush {
  readonly reader: IMetricReader;
  /** Bounds the final push and the exporter's shutdown by `timeoutMillis` from now. */
  stop(timeoutMillis: number): void;
}

/** A periodic OTLP reader with cumulative temporality: the Collector's remote-write exporter drops delta sums. */
export function createOtlpPush(config: ResolvedOtlp, producers: MetricProducer[]): OtlpPush {
  const agents = stoppableAgents();
  const exporter = new GuardedExporter(createExporter(config, agents), config.url, agents);
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: config.intervalMillis,
    exportTimeoutMillis: config.timeoutMillis,
    metricProducers: producers,
  });
  return { reader, stop: (timeoutMillis) => exporter.stop(timeoutMillis) };
}
