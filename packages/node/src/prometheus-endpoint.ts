import type { IncomingMessage, Server } from 'node:http';
import { AgentMeterConfigError, type AgentMeter } from '@agentmeter/core';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { createEndpointServer } from '@agentmeter/prometheus/internal';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import type { ResolvedPrometheus } from './config.ts';

export interface PrometheusEndpoint {
  /** The endpoint's own server, whose requests the HTTP metrics leave out. */
  readonly server: Server;
  /** Whether a request arrived at this endpoint's server (scrapes are left out of the HTTP metrics). */
  owns(request: IncomingMessage): boolean;
  /** Starts listening (on `port`, else the configured one); resolves to the scrape URL, or rejects with the listen error. */
  listen(port?: number): Promise<string>;
  /** Stops listening and drops open scrape connections. */
  close(): Promise<void>;
}

/** The exporter validates its options (health checks included); a mistake there is a start() configuration error. */
function newExporter(config: ResolvedPrometheus, meter: AgentMeter, producer: MetricProducer): PrometheusExporter {
  try {
    return new PrometheusExporter({
      endpoint: config.endpoint,
      meter,
      metricProducers: [producer],
      ...(config.token === undefined ? {} : { token: config.token }),
      ...(config.health === undefined ? {} : { health: config.health }),
      ...(config.scopeLabels === undefined ? {} : { scopeLabels: config.scopeLabels }),
    });
  } catch (error) {
    if (error instanceof AgentMeterConfigError) throw error;
    throw new AgentMeterConfigError(
      `@agentmeter/node start(): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/**
 * @agentmeter/prometheus (/metrics as Prometheus text or OpenMetrics, /api/metrics, /api/health)
 * on a server of its own, reading `producer`: the SDK's metrics and the meter's, merged with the
 * cluster's workers and threads. The server is unref'd, so it never keeps a finishing process alive.
 */
export function createPrometheusEndpoint(
  config: ResolvedPrometheus,
  meter: AgentMeter,
  producer: MetricProducer,
): PrometheusEndpoint {
  const exporter = newExporter(config, meter, producer);
  const server = createEndpointServer(exporter.requestHandler);
  server.unref();
  return {
    server,
    owns: (request) => (request.socket as { server?: unknown } | undefined)?.server === server,
    listen: (wanted = config.port) =>
      new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        // exclusive: a cluster worker that serves its own port binds it itself, unshared.
        server.listen({ host: config.host, port: wanted, exclusive: true }, () => {
          server.off('error', reject);
          const address = server.address();
          const port = typeof address === 'object' && address !== null ? address.port : wanted;
          const host =
            config.host === '0.0.0.0' || config.host === '::'
              ? 'localhost'
              : config.host.includes(':')
                ? `[${config.host}]`
                : config.host;
          resolve(`http://${host}:${port}${config.endpoint}`);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        void exporter.shutdown();
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
