/**
 * /metrics (Prometheus text and OpenMetrics), /api/metrics JSON and /api/health, as an OpenTelemetry MetricReader.
 *
 * @packageDocumentation
 * @module @agentmeter/prometheus
 */
import { guardCreation, neverThrows } from '@agentmeter/core/internal';
import { fastifyMetrics as rawFastifyMetrics, honoMetrics as rawHonoMetrics } from './http/mounts.ts';
import { httpCheck as rawHttpCheck, mysqlCheck as rawMysqlCheck, postgresCheck as rawPostgresCheck, redisCheck as rawRedisCheck } from './health/checks.ts';
import { estimateQuantile as rawEstimateQuantile } from './snapshot.ts';
export { PrometheusExporter } from './exporter.ts';
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

/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const fastifyMetrics: typeof rawFastifyMetrics = guardCreation('fastifyMetrics', rawFastifyMetrics);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const honoMetrics: typeof rawHonoMetrics = guardCreation('honoMetrics', rawHonoMetrics);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const httpCheck: typeof rawHttpCheck = guardCreation('httpCheck', rawHttpCheck);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const mysqlCheck: typeof rawMysqlCheck = guardCreation('mysqlCheck', rawMysqlCheck);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const postgresCheck: typeof rawPostgresCheck = guardCreation('postgresCheck', rawPostgresCheck);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const redisCheck: typeof rawRedisCheck = guardCreation('redisCheck', rawRedisCheck);
/** Never throws: input it cannot read gives `null`. */
export const estimateQuantile: typeof rawEstimateQuantile = neverThrows(rawEstimateQuantile, null);
