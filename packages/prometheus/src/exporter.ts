import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Attributes } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality, MetricReader, type CollectionResult, type MetricProducer, type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { HealthRunner } from './health/runner.ts';
import { healthReport, type HealthReport } from './health/report.ts';
import { nodeRequest, writeNodeResponse } from './http/node.ts';
import { Routes, type EndpointRequest, type EndpointResponse } from './http/routes.ts';
import { resolveOptions, type PrometheusExporterOptions, type ResolvedOptions } from './options.ts';
import { buildSnapshot, type MetricsSnapshot } from './snapshot.ts';
import { ExpositionWriter, type ExpositionFormat } from './serialize/exposition.ts';
import { FamilyBuilder, type MetricFamily } from './serialize/families.ts';
import { ProtobufExpositionWriter } from './serialize/protobuf-exposition.ts';

/** One collection, shared by the requests that arrive while it runs, with its rendered outputs. */
interface Collected {
  readonly resourceMetrics: ResourceMetrics;
  readonly families: MetricFamily[];
  readonly rendered: Map<ExpositionFormat, Buffer>;
}

/** A node:http handler that is also Express middleware: unknown paths go to `next`, or get 404. */
export type NodeRequestHandler = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * A MetricReader that serves what it reads as Prometheus text or OpenMetrics, a JSON snapshot
 * and a health report. Register it with a MeterProvider, give it `metricProducers`, or both.
 * The constructor only validates; `start()` opens its own port, or mount `requestHandler`,
 * `fastifyMetrics(exporter)` or `honoMetrics(exporter)` in an existing server.
 */
export class PrometheusExporter extends MetricReader {
  readonly #options: ResolvedOptions;
  readonly #producers: MetricProducer[];
  readonly #families: FamilyBuilder;
  readonly #writer: ExpositionWriter;
  readonly #protobuf: ProtobufExpositionWriter;
  readonly #routes: Routes;
  readonly #health: HealthRunner;
  #bound = false;
  #collecting: Promise<Collected> | undefined;
  #server: Server | undefined;

  constructor(options: PrometheusExporterOptions = {}) {
    const resolved = resolveOptions(options);
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
      metricProducers: resolved.producers,
      ...(options.aggregationSelector !== undefined && { aggregationSelector: options.aggregationSelector }),
      ...(options.cardinalitySelector !== undefined && { cardinalitySelector: options.cardinalitySelector }),
    });
    // Only the route keeps the token, as a digest.
    this.#options = { ...resolved, token: undefined };
    this.#producers = resolved.producers;
    this.#families = new FamilyBuilder(resolved.namespace, resolved.genAiMetrics);
    this.#writer = new ExpositionWriter({ scopeLabels: resolved.scopeLabels });
    this.#protobuf = new ProtobufExpositionWriter(this.#writer.labels, resolved.scopeLabels);
    this.#health = new HealthRunner(options.health, resolved.meter);
    this.#routes = new Routes(resolved, {
      exposition: (format) => this.render(format),
      jsonSnapshot: () => this.snapshot(),
      healthReport: async () => {
        const report = await this.health();
        return { healthy: report.status !== 'unhealthy', report };
      },
    });
  }

  override setMetricProducer(metricProducer: MetricProducer): void {
    super.setMetricProducer(metricProducer);
    this.#bound = true;
  }

  /** The paths served: the metrics endpoint, then the JSON and health endpoints when on. */
  get paths(): readonly string[] {
    const { endpoint, jsonEndpoint, healthEndpoint } = this.#options;
    return [endpoint, jsonEndpoint, healthEndpoint].filter((path) => path !== undefined);
  }

  /** Where `start()` listens, once it has started. */
  get url(): string | undefined {
    const address = this.#server?.address() as AddressInfo | null | undefined;
    if (address === undefined || address === null) return undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** Listens on host:port (default 127.0.0.1:9464) and resolves with the base URL. */
  async start(): Promise<string> {
    if (this.#server === undefined) {
      const server = createServer(this.requestHandler);
      this.#server = server;
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(this.#options.port, this.#options.host, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        this.#server = undefined;
        throw new Error(`@agentmeter/prometheus: cannot listen on ${this.#options.host}:${this.#options.port}; set another port (option port or AGENTMETER_PROMETHEUS_PORT)`, { cause: error });
      }
    }
    return this.url!;
  }

  /** Answers a framework-neutral request, or undefined when the path is not one of ours. */
  handle(request: EndpointRequest): Promise<EndpointResponse | undefined> {
    return this.#routes.handle(request);
  }

  /** For `http.createServer(handler)` and Express `app.use(handler)`. */
  readonly requestHandler: NodeRequestHandler = (request, response, next) => {
    this.#routes.handle(nodeRequest(request)).then(
      (answer) => writeNodeResponse(answer, response, next),
      (error: unknown) => writeNodeResponse(undefined, response, next, error),
    );
  };

  /** The exposition as text 0.0.4 (default) or OpenMetrics 1.0 (`render('protobuf')` gives the protobuf bytes). */
  async scrape(format: Exclude<ExpositionFormat, 'protobuf'> = 'text'): Promise<string> {
    return (await this.render(format)).toString('utf8');
  }

  /** The exposition as the endpoint sends it: UTF-8 text, or protobuf bytes. */
  async render(format: ExpositionFormat = 'text'): Promise<Buffer> {
    const collected = await this.#collectShared();
    let bytes = collected.rendered.get(format);
    if (bytes === undefined) {
      const resource: Attributes = this.#options.targetInfo ? collected.resourceMetrics.resource.attributes : {};
      bytes = format === 'protobuf'
        ? this.#protobuf.write(collected.families, resource)
        : this.#writer.write(collected.families, resource, format);
      collected.rendered.set(format, bytes);
    }
    return bytes;
  }

  /** The `/api/metrics` JSON body. */
  async snapshot(): Promise<MetricsSnapshot> {
    return buildSnapshot((await this.#collectShared()).families, this.#writer.labels);
  }

  /** Runs the dependency checks and builds the `/api/health` body. */
  async health(): Promise<HealthReport> {
    const dependencies = await this.#health.run();
    // A failed collection costs the session figures, not the health answer.
    const resourceMetrics = await this.#collectShared().then(
      (collected) => collected.resourceMetrics,
      (): ResourceMetrics => ({ resource: emptyResource(), scopeMetrics: [] }),
    );
    return healthReport(dependencies, resourceMetrics, this.#options.namespace);
  }

  /** Collects once for every request that arrives while a collection runs. */
  #collectShared(): Promise<Collected> {
    this.#collecting ??= this.#collectAll().then((result) => {
      if (result.errors.length > 0) this.#families.warnCollectionErrors(result.errors);
      const { resourceMetrics } = result;
      return { resourceMetrics, families: this.#families.families(resourceMetrics), rendered: new Map() };
    }).finally(() => {
      this.#collecting = undefined;
    });
    return this.#collecting;
  }

  /** A reader given only producers (no MeterProvider) collects from them directly. */
  async #collectAll(): Promise<CollectionResult> {
    if (this.#bound) return this.collect();
    const results = await Promise.all(this.#producers.map((producer) => producer.collect()));
    const first = results[0]?.resourceMetrics;
    return {
      resourceMetrics: {
        resource: first?.resource ?? emptyResource(),
        scopeMetrics: results.flatMap((result) => result.resourceMetrics.scopeMetrics),
      },
      errors: results.flatMap((result) => result.errors),
    };
  }

  protected override async onShutdown(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
  }

  protected override async onForceFlush(): Promise<void> {
    // A pull exporter has nothing buffered.
  }
}
