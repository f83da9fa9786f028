import type { IncomingMessage } from 'node:http';
import { type AgentMeter, createAgentMeter } from '@agentmeter/core';
import { type AgentMeterHandle, start } from '@agentmeter/node';
import { type HealthOptions, PrometheusExporter } from '@agentmeter/prometheus';
import { metrics } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

export interface Telemetry {
  readonly meter: AgentMeter;
  /** Serves /metrics, /api/metrics and /api/health; mounted on the service's own port. */
  readonly exporter: PrometheusExporter;
  /** Tells the HTTP instrumentation which port is the service's (requests to others are ignored). */
  setServicePort(port: number): void;
  shutdown(): Promise<void>;
}

/** The low-cardinality labels the service declares on top of the catalog's. */
export const DECLARED_ATTRIBUTES = {
  requests: ['scene', 'character', 'route'],
  sessions: ['scene', 'character'],
  websocket: ['scene', 'character'],
} as const;

/** The service's meter, with its declared labels; created first, so the clients can be wrapped with it. */
export function createServiceMeter(): AgentMeter {
  return createAgentMeter({ attributes: DECLARED_ATTRIBUTES });
}

/**
 * One /metrics for everything. The agentmeter exporter is the reader of the global MeterProvider, so
 * /metrics carries the catalog (through the meter's producer) and what @agentmeter/node's start()
 * records through OpenTelemetry: HTTP server and client durations and runtime metrics. start() is
 * given no reader of its own (`prometheus: false`); its instrumentations then use the global provider.
 */
export function startTelemetry(meter: AgentMeter, health: HealthOptions): Telemetry {
  let servicePort = -1;
  let handle: AgentMeterHandle | undefined;
  const exporter = new PrometheusExporter({ meter, health });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': process.env['OTEL_SERVICE_NAME'] ?? 'voice-agent' }),
    readers: [exporter],
  });
  metrics.setGlobalMeterProvider(provider);
  handle = start({
    meter,
    serviceName: 'voice-agent',
    prometheus: false,
    diagLogger: false,
    // GC durations are opt-in (they cost CPU per collection); the demo shows every panel, GC time included.
    runtime: { gc: true },
    http: {
      // The service's port only: an in-process simulator's servers are not the service.
      ignoreIncoming: (request: IncomingMessage) => servicePort >= 0 && request.socket.localPort !== servicePort,
    },
  });
  return {
    meter,
    exporter,
    setServicePort(port) {
      servicePort = port;
    },
    async shutdown() {
      await handle?.shutdown();
      handle = undefined;
      await provider.shutdown();
    },
  };
}
