// The one file to change when @agentmeter/prometheus replaces @opentelemetry/exporter-prometheus.
import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import type { ResolvedPrometheus } from './config.ts';

export interface PrometheusEndpoint {
  readonly reader: IMetricReader;
  /** The server that answers scrapes; its own requests are left out of the HTTP metrics. */
  readonly server: Server;
  /** Starts listening; resolves to the scrape URL, or rejects with the listen error. */
  listen(): Promise<string>;
  /** Stops listening and drops open scrape connections. */
  close(): Promise<void>;
}

function authorized(request: IncomingMessage, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function createPrometheusEndpoint(config: ResolvedPrometheus, producers: MetricProducer[]): PrometheusEndpoint {
  const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: producers as never });
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== config.endpoint || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.statusCode = 404;
      response.end();
      return;
    }
    if (config.token !== undefined && !authorized(request, config.token)) {
      response.statusCode = 401;
      response.setHeader('www-authenticate', 'Bearer');
      response.end();
      return;
    }
    exporter.getMetricsRequestHandler(request, response);
  };
  const server = createServer(handle);
  server.unref();
  return {
    reader: exporter as unknown as IMetricReader,
    server,
    listen: () => new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: config.host, port: config.port }, () => {
        server.off('error', reject);
        const address = server.address();
        const port = typeof address === 'object' && address !== null ? address.port : config.port;
        const host = config.host.includes(':') ? `[${config.host}]` : config.host;
        resolve(`http://${host === '0.0.0.0' ? 'localhost' : host}:${port}${config.endpoint}`);
      });
    }),
    close: () => new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
