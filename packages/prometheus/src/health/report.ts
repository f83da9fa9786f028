import { DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { DependencyStatus } from './runner.ts';

/** The `/api/health` body, in the shape of the Learning Voice Agent guide. */
export interface HealthReport {
  /** `healthy`; `degraded` when only optional dependencies fail (still 200); `unhealthy` (503). */
  readonly status: 'healthy' | 'degraded' | 'unhealthy';
  readonly timestamp: string;
  readonly dependencies: Record<string, DependencyStatus>;
  readonly metrics: {
    readonly active_sessions: number;
    readonly active_websockets: number;
    readonly uptime_seconds: number;
  };
}

/** The session figures of `/api/health`, read from a collection. */
export interface SessionFigures {
  readonly active_sessions: number;
  readonly active_websockets: number;
}

/** Sums every data point of a sum or gauge named `otelName` (0 when it was never recorded). */
function total(resourceMetrics: ResourceMetrics | undefined, otelName: string): number {
  let sum = 0;
  for (const scope of resourceMetrics?.scopeMetrics ?? []) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== otelName) continue;
      if (metric.dataPointType !== DataPointType.SUM && metric.dataPointType !== DataPointType.GAUGE) continue;
      for (const point of metric.dataPoints) if (Number.isFinite(point.value)) sum += point.value;
    }
  }
  return sum;
}

/** Active sessions and WebSockets from the catalog gauges of `namespace` (0 without a collection). */
export function sessionFigures(resourceMetrics: ResourceMetrics | undefined, namespace: string): SessionFigures {
  return {
    active_sessions: total(resourceMetrics, `${namespace}.active_sessions`),
    active_websockets: total(resourceMetrics, `${namespace}.websocket.connections_active`),
  };
}

export function healthReport(dependencies: Record<string, DependencyStatus>, figures: SessionFigures): HealthReport {
  const failing = Object.values(dependencies).filter((dependency) => dependency.status !== 'healthy');
  const status =
    failing.length === 0 ? 'healthy' : failing.some((dependency) => dependency.required) ? 'unhealthy' : 'degraded';
  return {
    status,
    timestamp: new Date().toISOString(),
    dependencies,
    metrics: { ...figures, uptime_seconds: Math.round(process.uptime()) },
  };
}
