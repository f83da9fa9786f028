import type { IncomingMessage } from 'node:http';
import type { AgentMeter } from '@agentmeter/core';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { createEndpointServer } from '@agentmeter/prometheus/internal';
import type { IMetricReader, MetricProducer } from '@opentelemetry/sdk-metrics';
import type { ResolvedPrometheus } from './config.ts';

export interface PrometheusEndpoint {
  readonly reader: IMetricReader;
  /** Whether a request arrived at this endpoint's server (scrapes are left out of the HTTP metrics). */
  owns(request: IncomingMessage): boolean;
  /** Starts listening; resolves to the scrape URL, or rejects with the listen error. */
  listen(): Promise<string>;
  /** Stops listening and drops open scrape connections. */
  close(): Promise<void>;
}

/**
 * @agentmeter/prometheus (/metrics as Prometheus text or OpenMetrics, /api/metrics, /api/health)
 * on a server of its own, reading the SDK's metrics and the meter's. The server is unref'd, so
 * it never keeps a finishing process alive.
 */
export function createPrometheusEndpoint(config: ResolvedPrometheus, meter: AgentMeter, producers: MetricProducer[]): PrometheusEndpoint {
  const exporter = new PrometheusExporter({
    endpoint: config.endpoint,
    meter,
    metricProducers: producers,
    ...(config.token === undefined ? {} : { token: config.token }),
  });
  const server = createEndpointServer(exporter.requestHandler);
  server.unref();
  return {
    reader: exporter as unknown as IMetricReader,
    owns: (request) => (request.socket as { server?: unknown } | undefined)?.server === server,
    listen: () => new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: config.host, port: config.port }, () => {
        server.off('error', reject);
        const address = server.address();
        const port = typeof address === 'object' && address !== null ? address.port : config.port;
        const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
        resolve(`http://${host}:${port}${config.endpoint}`);
      });
    }),
    close: () => new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
