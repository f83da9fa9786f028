/**
 * /metrics (Prometheus text and OpenMetrics), /api/metrics JSON and /api/health, as an OpenTelemetry MetricReader.
 *
 * @packageDocumentation
 * @module @agentmeter/prometheus
 */
export { PrometheusExporter } from './exporter.ts';
export { fastifyMetrics, honoMetrics } from './http/mounts.ts';
export { httpCheck, mysqlCheck, postgresCheck, redisCheck } from './health/checks.ts';
export { estimateQuantile } from './snapshot.ts';
export { negotiateFormat } from './http/negotiate.ts';

export type { NodeRequestHandler } from './exporter.ts';
export type { PrometheusExporterOptions } from './options.ts';
export type { EndpointRequest, EndpointResponse } from './http/routes.ts';
export type {
  FastifyInstanceLike, FastifyReplyLike, FastifyRequestLike, HonoContextLike, MountableEndpoints,
} from './http/mounts.ts';
export type { CheckOptions, HealthCheck, HttpCheckOptions, PingClient, QueryClient } from './health/checks.ts';
export type { DependencyStatus } from './health/runner.ts';
export type { HealthOptions } from './health/options.ts';
export type { HealthReport } from './health/report.ts';
export type { HistogramSeries, MetricsSnapshot, SnapshotMetric, ValueSeries } from './snapshot.ts';
export type { ExpositionFormat } from './serialize/exposition.ts';
