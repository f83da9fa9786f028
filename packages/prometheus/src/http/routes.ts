import { diag } from '@opentelemetry/api';
import type { Body, BodyKind } from '../collections.ts';
import { BearerAuth, challenge } from './auth.ts';
import { acceptsGzip, CONTENT_TYPES, negotiateFormat } from './negotiate.ts';
import { Pacer } from './pacer.ts';

/** A request, whatever framework it came through. */
export interface EndpointRequest {
  readonly method: string;
  /** The path without the query string, relative to where the handler is mounted. */
  readonly path: string;
  header(
    name: 'accept' | 'accept-encoding' | 'authorization' | 'x-prometheus-scrape-timeout-seconds',
  ): string | undefined;
}

export interface EndpointResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Empty for HEAD (Content-Length still tells the size). */
  readonly body: Uint8Array;
}

/** What the routes serve; the exporter implements it. */
export interface EndpointSource {
  /** The exposition or JSON snapshot, shared with other requests (see SharedCollections). */
  /** `alone`: no other scrape is being answered (see SharedCollections.round). */
  body(kind: BodyKind, gzip: boolean, alone: boolean): Promise<Body>;
  healthReport(): Promise<{ readonly healthy: boolean; readonly report: unknown }>;
}

/** Called once the response is written (node:http), or at once for `handle()`. */
export type Release = () => void;

export interface RouteConfig {
  readonly endpoint: string;
  readonly jsonEndpoint: string | undefined;
  readonly healthEndpoint: string | undefined;
  readonly token: string | undefined;
  readonly gzip: boolean;
  /** Metrics and JSON requests answered at once; more get 503 with Retry-After. */
  readonly maxConcurrentScrapes: number;
  /** How long a refused request waits for its 503 (the sharing window). */
  readonly refusalDelayMs: number;
}

const EMPTY = new Uint8Array(0);
const JSON_TYPE = 'application/json; charset=utf-8';
const RETRY_AFTER_SECONDS = '1';
const RELEASED: Release = () => {};
/** Health requests wait at most this long for the batch they join. */
export const HEALTH_BATCH_MS = 100;

/** The scraper's own timeout (Prometheus sends its scrape_timeout in this header), in ms; Infinity when absent or unreadable. */
export function scrapeTimeoutMs(request: EndpointRequest): number {
  const seconds = Number(request.header('x-prometheus-scrape-timeout-seconds'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Infinity;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function plain(status: number, text: string, headers: Record<string, string> = {}): EndpointResponse {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
    body: Buffer.from(`${text}\n`),
  };
}

function refusal(text: string): EndpointResponse {
  return plain(503, text, { 'retry-after': RETRY_AFTER_SECONDS });
}

/** The request's method and path read once, and headers that never throw; undefined when it has no readable path. */
function readable(request: EndpointRequest): EndpointRequest | undefined {
  try {
    const { method, path } = request;
    if (typeof path !== 'string') return undefined;
    return {
      method: typeof method === 'string' ? method : 'GET',
      path,
      header: (name) => {
        try {
          const value = request.header(name);
          return typeof value === 'string' ? value : undefined;
        } catch {
          return undefined;
        }
      },
    };
  } catch {
    return undefined;
  }
}

/**
 * Routes /metrics, /api/metrics and /api/health: method check, bearer token (metrics endpoints
 * only: load balancers probe health without one), content negotiation and gzip.
 */
export class Routes {
  readonly #config: RouteConfig;
  readonly #source: EndpointSource;
  readonly #auth: BearerAuth | undefined;
  #scrapes = 0;
  readonly #pacer = new Pacer();
  #health: Promise<EndpointResponse> | undefined;
  #latest: { readonly at: number; readonly answer: Promise<EndpointResponse> } | undefined;

  constructor(config: RouteConfig, source: EndpointSource) {
    // Keep only the token's digest (inside BearerAuth), never the token.
    this.#config = { ...config, token: undefined };
    this.#source = source;
    this.#auth = config.token === undefined ? undefined : new BearerAuth(config.token);
  }

  /** Answers the request, or returns undefined when the path is not one of ours. */
  async handle(request: EndpointRequest): Promise<EndpointResponse | undefined> {
    return this.handleHeld(request, (release) => release());
  }

  /**
   * The same, but a scrape's slot in the concurrency cap is handed to `hold`, which releases
   * it when the response is written (node:http holds it until the socket took the body).
   */
  async handleHeld(
    given: EndpointRequest,
    hold: (release: Release) => void,
    pauseConnection?: (ms: number) => void,
  ): Promise<EndpointResponse | undefined> {
    const { endpoint, jsonEndpoint, healthEndpoint } = this.#config;
    const request = readable(given);
    if (request === undefined) return undefined;
    const path = request.path;
    if (path !== endpoint && path !== jsonEndpoint && path !== healthEndpoint) return undefined;
    let release = RELEASED;
    const arrived = performance.now();
    const timeoutMs = scrapeTimeoutMs(request);
    try {
      let response = await this.#route(
        request,
        path,
        timeoutMs,
        (slot) => {
          release = slot;
        },
        pauseConnection,
      );
      // A scraper that has given up would throw the body away: it gets a small 503 instead, and the slot is freed at once.
      if (response.status === 200 && performance.now() - arrived > timeoutMs) {
        BODY_RELEASES.get(response)?.();
        response = refusal('Scrape took longer than X-Prometheus-Scrape-Timeout-Seconds; retry later');
      }
      await this.#pacer.admit(response.body.length);
      if (request.method.toUpperCase() !== 'HEAD') return response;
      BODY_RELEASES.get(response)?.();
      return { ...response, body: EMPTY };
    } finally {
      hold(release);
    }
  }

  async #route(
    request: EndpointRequest,
    path: string,
    timeoutMs: number,
    held: (release: Release) => void,
    pauseConnection: ((ms: number) => void) | undefined,
  ): Promise<EndpointResponse> {
    const method = request.method.toUpperCase();
    if (path !== this.#config.healthEndpoint && this.#auth !== undefined) {
      const result = this.#auth.check(request.header('authorization'));
      if (result !== 'ok') return plain(401, 'Unauthorized', { 'www-authenticate': challenge(result) });
    }
    if (method !== 'GET' && method !== 'HEAD') return plain(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
    try {
      if (path === this.#config.healthEndpoint) {
        if (pauseConnection === undefined) return await this.#healthBatch();
        // Own server: the latest body at once, then the connection rests until the next batch.
        pauseConnection(HEALTH_BATCH_MS);
        return await this.#latestHealth();
      }
      if (this.#scrapes >= this.#config.maxConcurrentScrapes) {
        // A refused client must not ask faster than the scrapers it competes with: its connection
        // waits one window (at most half the scraper's own timeout, so that it gets the 503 rather
        // than time out). On agentmeter's own server the 503 goes out at once and the connection
        // is not read for the window, so a refused request holds no memory while it waits.
        const waitMs = Math.min(this.#config.refusalDelayMs, timeoutMs / 2);
        if (pauseConnection !== undefined) pauseConnection(waitMs);
        else await sleep(waitMs);
        return refusal('Too many concurrent scrapes; retry later');
      }
      const alone = this.#scrapes === 0;
      this.#scrapes++;
      held(this.#releaser());
      const gzip = this.#config.gzip && acceptsGzip(request.header('accept-encoding'));
      if (path === this.#config.jsonEndpoint)
        return this.#answer(JSON_TYPE, await this.#source.body('json', gzip, alone));
      const format = negotiateFormat(request.header('accept'));
      return this.#answer(CONTENT_TYPES[format], await this.#source.body(format, gzip, alone));
    } catch (error) {
      diag.error('@agentmeter/prometheus: collection failed', error);
      return plain(500, 'Collection failed; see the service log');
    }
  }

  /**
   * Health requests are answered in batches, HEALTH_BATCH_MS apart, with one body built per batch
   * from the last completed round of checks: a client hammering the endpoint gets at most ten
   * answers a second per connection, and the service builds at most ten bodies a second.
   */
  #healthBatch(): Promise<EndpointResponse> {
    this.#health ??= sleep(HEALTH_BATCH_MS).then(() => {
      this.#health = undefined;
      return this.#healthAnswer();
    });
    return this.#health;
  }

  /**
   * On agentmeter's own server: the health body built at most once per HEALTH_BATCH_MS, answered
   * at once; the connection then rests for HEALTH_BATCH_MS (see handleHeld's pauseConnection), so
   * a hammering client still gets at most ten answers a second per connection, and no request
   * waits in the heap for its batch.
   */
  #latestHealth(): Promise<EndpointResponse> {
    const now = performance.now();
    const cached = this.#latest;
    if (cached !== undefined && now - cached.at < HEALTH_BATCH_MS) return cached.answer;
    const answer = this.#healthAnswer();
    this.#latest = { at: now, answer };
    // A failed build is not cached.
    answer.catch(() => {
      if (this.#latest?.answer === answer) this.#latest = undefined;
    });
    return answer;
  }

  async #healthAnswer(): Promise<EndpointResponse> {
    const { healthy, report } = await this.#source.healthReport();
    return this.#answer(
      JSON_TYPE,
      { bytes: Buffer.from(JSON.stringify(report), 'utf8'), gzip: false, release: RELEASED },
      healthy ? 200 : 503,
    );
  }

  /** Frees one slot of the cap, once however often it is called. */
  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#scrapes--;
    };
  }

  #answer(contentType: string, body: Body, status = 200): EndpointResponse {
    const headers: Record<string, string> = {
      'content-type': contentType,
      'cache-control': 'no-store',
      vary: 'Accept, Accept-Encoding',
    };
    if (body.gzip) headers['content-encoding'] = 'gzip';
    headers['content-length'] = String(body.bytes.length);
    const response = { status, headers, body: body.bytes };
    if (body.release !== RELEASED) BODY_RELEASES.set(response, body.release);
    return response;
  }
}

/**
 * What frees each answer's body for reuse (see Body.release), by answer: the node:http writer calls
 * it once the response has closed. An answer handed to a framework mount is never released, so its
 * body is never reused.
 */
const BODY_RELEASES = new WeakMap<EndpointResponse, () => void>();

/** The function that frees this answer's body for reuse, if it has one; call it once the body is written. */
export function bodyRelease(answer: EndpointResponse): (() => void) | undefined {
  return BODY_RELEASES.get(answer);
}
