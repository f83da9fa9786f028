import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardCreation, lendPool, PointPool } from '@agentmeter/core/internal';
import { diag, type Attributes } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  MetricReader,
  type CollectionResult,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { SharedCollections, type BodyKind, type Collected } from './collections.ts';
import { createEndpointServer, isOwnConnection, pauseConnection } from './endpoint.ts';
import { HealthRunner } from './health/runner.ts';
import { healthReport, sessionFigures, type HealthReport, type SessionFigures } from './health/report.ts';
import { nodeRequest, writeNodeResponse } from './http/node.ts';
import { bodyRelease, Routes, type EndpointRequest, type EndpointResponse } from './http/routes.ts';
import { resolveOptions, type PrometheusExporterOptions, type ResolvedOptions } from './options.ts';
import { buildSnapshot, snapshotJson, type MetricsSnapshot } from './snapshot.ts';
import { ExpositionWriter, type ExpositionFormat } from './serialize/exposition.ts';
import { FamilyBuilder } from './serialize/families.ts';
import { ProtobufExpositionWriter } from './serialize/protobuf-exposition.ts';

/** How long pooled data points and body buffers outlive the last round (a scrape every 15 s keeps none). */
const POOL_IDLE_MS = 5000;

/** A node:http handler that is also Express middleware: unknown paths go to `next`, or get 404. */
export type NodeRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

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
  readonly #health: HealthRunner<SessionFigures>;
  readonly #shared: SharedCollections;
  #bound = false;
  #server: Server | undefined;
  /** Session figures of the last collection, for health rounds: [figures, when]. */
  #figures: [SessionFigures, number] | undefined;
  /** Data points reused from round to round while rounds follow each other (see PointPool). */
  readonly #pool = new PointPool();
  /** Forgets the pooled points once rounds stop (a scrape flood ended): nothing kept at rest. */
  #poolIdle: NodeJS.Timeout | undefined;

  constructor(options: PrometheusExporterOptions = {}) {
    // Whatever reading the options throws (a getter, a proxy) is an AgentMeterConfigError naming the exporter.
    const [resolved, selectors, health] = guardCreation(
      '@agentmeter/prometheus PrometheusExporter',
      () =>
        [
          resolveOptions(options),
          {
            ...(options.aggregationSelector !== undefined && { aggregationSelector: options.aggregationSelector }),
            ...(options.cardinalitySelector !== undefined && { cardinalitySelector: options.cardinalitySelector }),
          },
          options.health,
        ] as const,
    )();
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
      metricProducers: resolved.producers,
      ...selectors,
    });
    // Only the route keeps the token, as a digest.
    this.#options = { ...resolved, token: undefined };
    this.#producers = resolved.producers;
    this.#families = new FamilyBuilder(resolved.namespace, resolved.genAiMetrics);
    this.#writer = new ExpositionWriter({ scopeLabels: resolved.scopeLabels });
    this.#protobuf = new ProtobufExpositionWriter(this.#writer.labels, resolved.scopeLabels);
    this.#shared = new SharedCollections(
      () => this.#collectFamilies(),
      (collected, kind) => this.#renderBody(collected, kind),
      resolved.shareWindowMs,
      (kind, bytes) => {
        if (kind !== 'text' && kind !== 'openmetrics') return;
        this.#writer.recycle(kind, bytes);
        this.#armIdle();
      },
    );
    this.#health = guardCreation(
      '@agentmeter/prometheus PrometheusExporter health',
      () => new HealthRunner(health, resolved.meter, () => this.#sessionFigures()),
    )();
    this.#routes = new Routes(
      { ...resolved, refusalDelayMs: Math.max(resolved.shareWindowMs, 100) },
      {
        body: async (kind, gzip, alone) => (await this.#shared.round(alone)).body(kind, gzip),
        healthReport: async () => {
          const report = await this.health();
          return { healthy: report.status !== 'unhealthy', report };
        },
      },
    );
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
      const server = createEndpointServer(this.requestHandler);
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
        throw new Error(
          `@agentmeter/prometheus: cannot listen on ${this.#options.host}:${this.#options.port}; set another port (option port or AGENTMETER_PROMETHEUS_PORT)`,
          { cause: error },
        );
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
    // A scrape keeps its place in the concurrency cap until the socket has taken the body.
    const hold = (release: () => void): void => {
      if (response.writableFinished || response.destroyed) release();
      else response.once('close', release);
    };
    try {
      // On agentmeter's own server a refused scraper's connection is paused after its 503 is written.
      let pauseMs = 0;
      const pause = isOwnConnection(request.socket) ? (ms: number) => void (pauseMs = ms) : undefined;
      this.#routes.handleHeld(nodeRequest(request), hold, pause).then(
        (answer) => {
          writeNodeResponse(answer, response, next);
          if (pauseMs > 0) pauseConnection(request.socket, pauseMs);
          // The body may be reused once the socket has taken it (see Body.release).
          const release = answer === undefined ? undefined : bodyRelease(answer);
          if (release !== undefined) {
            if (response.writableFinished || response.destroyed) release();
            else response.once('close', release);
          }
        },
        (error: unknown) => writeNodeResponse(undefined, response, next, error),
      );
    } catch (error) {
      // Not a node:http request and response: nothing to answer; Express gets the error.
      diag.error('@agentmeter/prometheus: requestHandler was called without a request and response', error);
      if (typeof next === 'function') next(error);
    }
  };

  /** The exposition as text 0.0.4 (default) or OpenMetrics 1.0, from a new collection (`render('protobuf')` gives protobuf bytes). */
  async scrape(format: Exclude<ExpositionFormat, 'protobuf'> = 'text'): Promise<string> {
    return (await this.render(format === 'openmetrics' ? format : 'text')).toString('utf8');
  }

  /** The exposition as the endpoint sends it (UTF-8 text, or protobuf bytes), from a new collection. Any other format is text. */
  async render(format: ExpositionFormat = 'text'): Promise<Buffer> {
    const kind: ExpositionFormat = format === 'openmetrics' || format === 'protobuf' ? format : 'text';
    const round = await this.#shared.fresh();
    return (await round.body(kind, false)).bytes;
  }

  /** The `/api/metrics` JSON body, from a new collection. */
  async snapshot(): Promise<MetricsSnapshot> {
    return buildSnapshot((await this.#shared.fresh()).collected.families, this.#writer.labels);
  }

  /** The `/api/health` body from the last completed round of checks (the first call runs one). */
  async health(): Promise<HealthReport> {
    const round = await this.#health.latest();
    return healthReport(round.dependencies, round.extra);
  }

  /** Session figures for a health round: from a recent collection, else one shared with scrapes. */
  async #sessionFigures(): Promise<SessionFigures> {
    const last = this.#figures;
    if (last !== undefined && performance.now() - last[1] < this.#health.intervalMs) return last[0];
    // A failed collection costs the session figures, not the health answer.
    return this.#shared.now().then(
      () => this.#figures?.[0] ?? sessionFigures(undefined, ''),
      () => sessionFigures(undefined, ''),
    );
  }

  async #collectFamilies(): Promise<Collected> {
    // The producers run synchronously inside #collectAll's first turn, where the pool is lent.
    const { result: collecting, pooled } = lendPool(this.#pool, () => this.#collectAll());
    const release = (): void => {
      if (pooled) this.#pool.giveBack();
      this.#armIdle();
    };
    try {
      const result = await collecting;
      if (result.errors.length > 0) this.#families.warnCollectionErrors(result.errors);
      const { resourceMetrics } = result;
      this.#figures = [sessionFigures(resourceMetrics, this.#options.namespace), performance.now()];
      return { resourceMetrics, families: this.#families.families(resourceMetrics), release };
    } catch (error) {
      // No round will read these points: the next collection may have the pool.
      release();
      throw error;
    }
  }

  /** Pooled points and kept body buffers are forgotten POOL_IDLE_MS after the last round. */
  #armIdle(): void {
    if (this.#poolIdle !== undefined) {
      this.#poolIdle.refresh();
      return;
    }
    this.#poolIdle = setTimeout(() => {
      this.#poolIdle = undefined;
      this.#pool.clear();
      this.#writer.dropSpares();
    }, POOL_IDLE_MS);
    this.#poolIdle.unref();
  }

  #renderBody(collected: Collected, kind: BodyKind): Promise<Buffer> {
    if (kind === 'json') return snapshotJson(collected.families, this.#writer.labels);
    const resource: Attributes = this.#options.targetInfo ? collected.resourceMetrics.resource.attributes : {};
    if (kind === 'protobuf') return Promise.resolve(this.#protobuf.write(collected.families, resource));
    return this.#writer.write(collected.families, resource, kind);
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
    this.#health.stop();
    clearTimeout(this.#poolIdle);
    this.#pool.clear();
    this.#writer.dropSpares();
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
