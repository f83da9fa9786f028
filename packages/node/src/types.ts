import type { AgentMeter, AgentMeterOptions } from '@agentmeter/core';
import type { HealthOptions } from '@agentmeter/prometheus';
import type { Attributes, DiagLogger } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import type { IncomingMessage } from 'node:http';
import type { RequestOptions } from 'node:http';

/** Runtime metrics beyond the defaults. */
export interface RuntimeOptions {
  /**
   * v8js.gc.duration, by kind (default false): Node builds a performance entry per garbage
   * collection for it, about 120,000 instructions each, which an allocating service pays in
   * proportion to its traffic (about 1.3% of a trivial node:http request's instructions).
   */
  gc?: boolean;
  /**
   * How often the event-loop delay is sampled, in milliseconds, 1-1,000 (default 20; 10 in
   * OpenTelemetry's runtime-node and prom-client; env AGENTMETER_EVENT_LOOP_RESOLUTION). Each
   * sample is a timer that wakes a sleeping loop 1000/ms times a second, which a service at rest or
   * at partial load pays (see docs/node.md); a stall shorter than the resolution is only seen when a
   * sample falls due in it. Samples are intervals between timer fires, so the gauges read at least
   * the resolution. Each collection needs 5 samples, so keep it at most a fifth of the scrape or
   * push interval.
   */
  eventLoopDelayResolutionMillis?: number;
}

/** Where Prometheus scrapes agentmeter (a server of its own). */
export interface PrometheusOptions {
  /** Interface to listen on (default `127.0.0.1`, loopback only; `0.0.0.0` lets a Prometheus elsewhere scrape; env AGENTMETER_PROMETHEUS_HOST or OTEL_EXPORTER_PROMETHEUS_HOST). */
  host?: string;
  /** Port (default 9464, 0 picks a free one; env AGENTMETER_PROMETHEUS_PORT or OTEL_EXPORTER_PROMETHEUS_PORT). */
  port?: number;
  /** Path of the metrics page (default `/metrics`; env AGENTMETER_PROMETHEUS_ENDPOINT). */
  endpoint?: string;
  /** Bearer token the scraper must send: 1-4096 visible ASCII characters (env AGENTMETER_METRICS_TOKEN). */
  token?: string;
  /** Label samples with `otel_scope_name` and `otel_scope_version` (default true; env AGENTMETER_PROMETHEUS_SCOPE_LABELS). */
  scopeLabels?: boolean;
}

/**
 * One /metrics for a node:cluster or PM2 cluster and for worker threads: the primary (or the
 * main thread) asks every worker for its data at each scrape and serves the exact merge.
 */
export interface ClusterOptions {
  /** How long a scrape waits for each worker's data, in ms (default 2000; env AGENTMETER_CLUSTER_TIMEOUT). */
  timeoutMillis?: number;
}

/** OTLP push to a Collector (or any OTLP receiver), always with cumulative temporality. */
export interface OtlpOptions {
  /**
   * Wire protocol: `http/protobuf` (default), `grpc` or `http/json` (env
   * OTEL_EXPORTER_OTLP_METRICS_PROTOCOL, then OTEL_EXPORTER_OTLP_PROTOCOL).
   */
  protocol?: 'http/protobuf' | 'grpc' | 'http/json';
  /**
   * Metrics URL: `http://collector:4318/v1/metrics` for OTLP/HTTP, `http://collector:4317` for gRPC
   * (env OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT, with `/v1/metrics`
   * appended for OTLP/HTTP).
   */
  endpoint?: string;
  /** Extra request headers, e.g. an auth token (env OTEL_EXPORTER_OTLP_METRICS_HEADERS / OTEL_EXPORTER_OTLP_HEADERS). */
  headers?: Record<string, string>;
  /** `gzip` or `none` (default none; env OTEL_EXPORTER_OTLP_METRICS_COMPRESSION / OTEL_EXPORTER_OTLP_COMPRESSION). */
  compression?: 'gzip' | 'none';
  /** Push interval in ms (default 60000; env OTEL_METRIC_EXPORT_INTERVAL). */
  intervalMillis?: number;
  /**
   * Time limit of one push in ms (default 30000, at most the interval; env OTEL_METRIC_EXPORT_TIMEOUT).
   * One request's own limit is OTEL_EXPORTER_OTLP_METRICS_TIMEOUT / OTEL_EXPORTER_OTLP_TIMEOUT when
   * set (at most this), else 80% of it.
   */
  timeoutMillis?: number;
}

/**
 * Inbound and outbound HTTP metrics, observed through node:diagnostics_channel (node:http and
 * fetch). In tracing mode @opentelemetry/instrumentation-http and -undici also run, for spans.
 */
export interface HttpOptions {
  /** Requests to leave out of the server metrics (health checks, for instance). */
  ignoreIncoming?: (request: IncomingMessage) => boolean;
  /** Outgoing node:http requests to leave out of the client metrics. */
  ignoreOutgoing?: (request: RequestOptions) => boolean;
  /** Outgoing fetch (undici) requests to leave out of the client metrics. */
  ignoreOutgoingFetch?: (request: { origin: string; method: string; path: string }) => boolean;
  /** Count in-flight server requests as http.server.active_requests (default true). */
  activeRequests?: boolean;
  /** Measure outgoing node:http and fetch requests as http.client.request.duration (default true). */
  client?: boolean;
  /**
   * Spans for HTTP requests through @opentelemetry/instrumentation-http, -undici and -express
   * (metrics still come from the diagnostics channels, counted once). Default: on when
   * OTEL_TRACES_EXPORTER names an exporter or a TracerProvider was registered before start().
   */
  tracing?: boolean;
}

export interface StartOptions extends Omit<AgentMeterOptions, 'meterProvider'> {
  /** `service.name` (env OTEL_SERVICE_NAME). */
  serviceName?: string;
  /** `service.version` (or `service.version=` in OTEL_RESOURCE_ATTRIBUTES). */
  serviceVersion?: string;
  /** `deployment.environment.name`, such as `production` (or in OTEL_RESOURCE_ATTRIBUTES). */
  environment?: string;
  /** More resource attributes; they win over OTEL_RESOURCE_ATTRIBUTES. */
  resourceAttributes?: Attributes;
  /** Use this meter instead of creating one (its metricProducer is handed to every reader). */
  meter?: AgentMeter;
  /** The /metrics server (on by default; `false` turns it off; env OTEL_METRICS_EXPORTER). */
  prometheus?: PrometheusOptions | false;
  /**
   * Dependency checks served on the /metrics server's `/api/health`, as `PrometheusExporter({ health })`
   * serves them (`postgresCheck`, `redisCheck`, `httpCheck`, ... from @agentmeter/prometheus).
   * Needs the /metrics server.
   */
  health?: HealthOptions;
  /**
   * Merging of cluster workers and worker threads into the primary's /metrics (on by default;
   * `false` makes every worker serve its own /metrics, as a single process does).
   */
  cluster?: ClusterOptions | false;
  /** OTLP push (on when an endpoint is configured; `false` turns it off). */
  otlp?: OtlpOptions | false;
  /** HTTP instrumentation (on by default; env OTEL_NODE_DISABLED_INSTRUMENTATIONS=http). */
  http?: HttpOptions | false;
  /** http.route labels for Express 4 and 5 (and Express spans in tracing mode) (default true). */
  express?: boolean;
  /**
   * Event-loop delay and utilisation, heap and active-resource metrics (default true; env
   * OTEL_NODE_DISABLED_INSTRUMENTATIONS=runtime-node). `{ gc: true }` adds GC durations, which
   * cost the service CPU per garbage collection, and `eventLoopDelayResolutionMillis` sets how often
   * the event-loop delay is sampled (see docs/node.md).
   */
  runtime?: boolean | RuntimeOptions;
  /** Process and host CPU, memory and network (default true; env OTEL_NODE_DISABLED_INSTRUMENTATIONS=host-metrics). */
  hostMetrics?: boolean;
  /**
   * More MetricReaders for the SDK's metrics (HTTP, runtime, host), e.g. an @agentmeter/prometheus
   * exporter mounted in your own app. Give them the meter's data yourself (`{ meter }` there).
   */
  metricReaders?: IMetricReader[];
  /**
   * The time limit of `shutdown()` in milliseconds (default 5,000; env AGENTMETER_SHUTDOWN_TIMEOUT):
   * the final push gets what is left of it, a Collector that refuses the connection is not retried,
   * and a push still open at the limit is abandoned. Keep it well under your platform's grace
   * period (Kubernetes: 30 s between SIGTERM and SIGKILL).
   */
  shutdownTimeoutMillis?: number;
  /** More OpenTelemetry instrumentations to register. */
  instrumentations?: Instrumentation[];
  /**
   * Where OpenTelemetry's diag messages (and agentmeter's warnings) go. By default a console
   * logger at WARN level unless OTEL_LOG_LEVEL is set; `false` leaves diag alone.
   */
  diagLogger?: DiagLogger | false;
}

/** What start() adds to the meter in its handle. */
export interface HandleControls {
  readonly meter: AgentMeter;
  /** Resolves once the /metrics server listens (at once when there is none); never rejects. */
  readonly ready: Promise<void>;
  /** The scrape URL once listening (port 0 resolved to the real port), else undefined. */
  readonly prometheusUrl: string | undefined;
  /** The OTLP metrics URL pushed to, or undefined. */
  readonly otlpEndpoint: string | undefined;
  /** Collects and pushes now (OTLP); resolves when done. */
  forceFlush(): Promise<void>;
  /** Flushes, stops the servers and instrumentations; safe to call more than once. */
  shutdown(): Promise<void>;
}

/** What start() returns: the meter (`am.trackRequest(...)`, `am.instruments`) plus the controls. */
export interface AgentMeterHandle extends AgentMeter, HandleControls {}
