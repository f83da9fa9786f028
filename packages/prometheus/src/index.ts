/**
 * /metrics (Prometheus text and OpenMetrics), /api/metrics JSON and /api/health, as an OpenTelemetry MetricReader.
 *
 * @packageDocumentation
 * @module @agentmeter/prometheus
 */
import { guardCreation, neverThrows } from '@agentmeter/core/internal';
import { fastifyMetrics as rawFastifyMetrics, honoMetrics as rawHonoMetrics } from './http/mounts.ts';
import {
  httpCheck as rawHttpCheck,
  mysqlCheck as rawMysqlCheck,
  postgresCheck as rawPostgresCheck,
  redisCheck as rawRedisCheck,
} from './health/checks.ts';
import { estimateQuantile as rawEstimateQuantile } from './snapshot.ts';
export { PrometheusExporter } from './exporter.ts';
export { negotiateFormat } from './http/negotiate.ts';

export type { NodeRequestHandler } from './exporter.ts';
export type { PrometheusExporterOptions } from './options.ts';
export type { EndpointRequest, EndpointResponse } from './http/routes.ts';
export type {
  FastifyInstanceLike,
  FastifyReplyLike,
  FastifyRequestLike,
  HonoContextLike,
  MountableEndpoints,
} from './http/mounts.ts';
export type { CheckOptions, HealthCheck, HttpCheckOptions, PingClient, QueryClient } from './health/checks.ts';
export type { DependencyStatus } from './health/runner.ts';
export type { HealthOptions } from './health/options.ts';
export type { HealthReport } from './health/report.ts';
export type { HistogramSeries, MetricsSnapshot, SnapshotMetric, ValueSeries } from './snapshot.ts';
export type { ExpositionFormat } from './serialize/exposition.ts';

/**
 * A Fastify plugin serving the exporter's paths: `await app.register(fastifyMetrics(exporter))`.
 * Every method is routed to the exporter, which answers 405 to the ones it does not serve.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const fastifyMetrics: typeof rawFastifyMetrics = guardCreation('fastifyMetrics', rawFastifyMetrics);
/**
 * Hono middleware serving the exporter's paths and passing everything else on:
 * `app.use(honoMetrics(exporter))`.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const honoMetrics: typeof rawHonoMetrics = guardCreation('honoMetrics', rawHonoMetrics);
/**
 * An HTTP URL: healthy when it answers with a healthy status before the timeout.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const httpCheck: typeof rawHttpCheck = guardCreation('httpCheck', rawHttpCheck);
/**
 * MySQL or MariaDB: runs `select 1` through a mysql2/promise pool or connection.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const mysqlCheck: typeof rawMysqlCheck = guardCreation('mysqlCheck', rawMysqlCheck);
/**
 * PostgreSQL: runs `select 1` through a pg Pool or Client (or anything with a promise `query`).
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const postgresCheck: typeof rawPostgresCheck = guardCreation('postgresCheck', rawPostgresCheck);
/**
 * Redis: sends PING through an ioredis or node-redis client.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const redisCheck: typeof rawRedisCheck = guardCreation('redisCheck', rawRedisCheck);
/**
 * Estimates a quantile the way PromQL's histogram_quantile does: linear interpolation inside the
 * bucket that holds the rank, the first bucket starting at 0 (for positive bounds), the +Inf
 * bucket answering its lower bound. The recorded min and max, when known, bound the estimate.
 *
 * Never throws: input it cannot read gives `null`.
 */
export const estimateQuantile: typeof rawEstimateQuantile = neverThrows(rawEstimateQuantile, null);
