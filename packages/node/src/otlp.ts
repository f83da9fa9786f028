import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
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

/**
 * Reports a failing Collector once (not on every interval) and again only after it recovered,
 * so an unreachable endpoint costs one line of log, not one per push.
 */
class OnceWarningExporter implements PushMetricExporter {
  readonly #inner: PushMetricExporter;
  readonly #url: string;
  #failing = false;

  constructor(inner: PushMetricExporter, url: string) {
    this.#inner = inner;
    this.#url = url;
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.#inner.export(metrics, (result) => {
      if (result.code === ExportResultCode.SUCCESS) {
        if (this.#failing) diag.info(`agentmeter: OTLP metric export to ${this.#url} works again`);
        this.#failing = false;
      } else if (!this.#failing) {
        this.#failing = true;
        const reason = result.error?.message ?? 'unknown error';
        diag.warn(
          `agentmeter: OTLP metric export to ${this.#url} failed (${reason}); the service keeps running and later pushes retry. ` +
            'Further failures are not logged until an export succeeds.',
        );
      }
      // The reader would log every failure again; the warning above is the one report.
      resultCallback({ code: ExportResultCode.SUCCESS });
    });
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
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
  type === InstrumentType.HISTOGRAM ? { type: AggregationType.EXPONENTIAL_HISTOGRAM } : { type: AggregationType.DEFAULT };

/** OpenTelemetry's own exporter for the configured protocol; headers not given come from OTEL_EXPORTER_OTLP_(METRICS_)HEADERS. */
function createExporter(config: ResolvedOtlp): PushMetricExporter {
  const options = {
    url: config.url,
    ...(config.headers !== undefined && { headers: config.headers }),
    timeoutMillis: config.requestTimeoutMillis,
    temporalityPreference: AggregationTemporalityPreference.CUMULATIVE,
    ...(config.exponentialHistograms && { aggregationPreference: exponentialForHistograms }),
  };
  const withCompression = config.compression === undefined
    ? options
    : { ...options, compression: config.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE };
  switch (config.protocol) {
    case 'grpc': return new GrpcMetricExporter(withCompression);
    case 'http/json': return new JsonMetricExporter(withCompression);
    default: return new ProtobufMetricExporter(withCompression);
  }
}

/** A periodic OTLP reader with cumulative temporality: the Collector's remote-write exporter drops delta sums. */
export function createOtlpReader(config: ResolvedOtlp, producers: MetricProducer[]): IMetricReader {
  const exporter = createExporter(config);
  return new PeriodicExportingMetricReader({
    exporter: new OnceWarningExporter(exporter, config.url),
    exportIntervalMillis: config.intervalMillis,
    exportTimeoutMillis: config.timeoutMillis,
    metricProducers: producers,
  });
}
