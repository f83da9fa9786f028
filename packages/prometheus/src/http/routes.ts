import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { diag } from '@opentelemetry/api';
import type { ExpositionFormat } from '../serialize/exposition.ts';
import { BearerAuth, challenge } from './auth.ts';
import { acceptsGzip, CONTENT_TYPES, negotiateFormat } from './negotiate.ts';

const gzipAsync = promisify(gzip);

/** A request, whatever framework it came through. */
export interface EndpointRequest {
  readonly method: string;
  /** The path without the query string, relative to where the handler is mounted. */
  readonly path: string;
  header(name: 'accept' | 'accept-encoding' | 'authorization'): string | undefined;
}

export interface EndpointResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Empty for HEAD (Content-Length still tells the size). */
  readonly body: Uint8Array;
}

/** What the routes serve; the exporter implements it. */
export interface EndpointSource {
  exposition(format: ExpositionFormat): Promise<Uint8Array>;
  jsonSnapshot(): Promise<unknown>;
  healthReport(): Promise<{ readonly healthy: boolean; readonly report: unknown }>;
}

export interface RouteConfig {
  readonly endpoint: string;
  readonly jsonEndpoint: string | undefined;
  readonly healthEndpoint: string | undefined;
  readonly token: string | undefined;
  readonly gzip: boolean;
}

const EMPTY = new Uint8Array(0);

function plain(status: number, text: string, headers: Record<string, string> = {}): EndpointResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: Buffer.from(`${text}\n`) };
}

/**
 * Routes /metrics, /api/metrics and /api/health: method check, bearer token (metrics endpoints
 * only: load balancers probe health without one), content negotiation and gzip.
 */
export class Routes {
  readonly #config: RouteConfig;
  readonly #source: EndpointSource;
  readonly #auth: BearerAuth | undefined;

  constructor(config: RouteConfig, source: EndpointSource) {
    // Keep only the token's digest (inside BearerAuth), never the token.
    this.#config = { ...config, token: undefined };
    this.#source = source;
    this.#auth = config.token === undefined ? undefined : new BearerAuth(config.token);
  }

  /** Answers the request, or returns undefined when the path is not one of ours. */
  async handle(request: EndpointRequest): Promise<EndpointResponse | undefined> {
    const { endpoint, jsonEndpoint, healthEndpoint } = this.#config;
    const path = request.path;
    if (path !== endpoint && path !== jsonEndpoint && path !== healthEndpoint) return undefined;
    const response = await this.#route(request, path);
    return request.method.toUpperCase() === 'HEAD' ? { ...response, body: EMPTY } : response;
  }

  async #route(request: EndpointRequest, path: string): Promise<EndpointResponse> {
    const method = request.method.toUpperCase();
    if (path !== this.#config.healthEndpoint && this.#auth !== undefined) {
      const result = this.#auth.check(request.header('authorization'));
      if (result !== 'ok') return plain(401, 'Unauthorized', { 'www-authenticate': challenge(result) });
    }
    if (method !== 'GET' && method !== 'HEAD') return plain(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
    try {
      if (path === this.#config.endpoint) return await this.#metrics(request);
      if (path === this.#config.jsonEndpoint) return await this.#json(request, 200, await this.#source.jsonSnapshot());
      const { healthy, report } = await this.#source.healthReport();
      return await this.#json(request, healthy ? 200 : 503, report);
    } catch (error) {
      diag.error('@agentmeter/prometheus: collection failed', error);
      return plain(500, 'Collection failed; see the service log');
    }
  }

  async #metrics(request: EndpointRequest): Promise<EndpointResponse> {
    const format = negotiateFormat(request.header('accept'));
    return this.#encode(request, CONTENT_TYPES[format], await this.#source.exposition(format));
  }

  #json(request: EndpointRequest, status: number, body: unknown): Promise<EndpointResponse> {
    return this.#encode(request, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(body), 'utf8'), status);
  }

  async #encode(request: EndpointRequest, contentType: string, bytes: Uint8Array, status = 200): Promise<EndpointResponse> {
    const headers: Record<string, string> = { 'content-type': contentType, 'cache-control': 'no-store', vary: 'Accept, Accept-Encoding' };
    let body = bytes;
    if (this.#config.gzip && body.length > 1024 && acceptsGzip(request.header('accept-encoding'))) {
      body = await gzipAsync(body, { level: constants.Z_BEST_SPEED });
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(body.length);
    return { status, headers, body };
  }
}
