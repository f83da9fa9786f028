import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { context, diag } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { classifyFailure, classifyStatus, type FailurePhase } from '@agentmeter/core';
import { methodIndex, methodName, versionIndex, versionName } from './http-metrics.ts';
import type { HttpMetrics } from './http-metrics.ts';
import type { HttpOptions } from './types.ts';

const STARTED: unique symbol = Symbol('agentmeter.http.client.started');
const STATUS: unique symbol = Symbol('agentmeter.http.client.status');
/** A response the caller destroyed before its end (no error on it): the caller gave up. */
const CALLER_GAVE_UP = new DOMException('the caller destroyed the response', 'AbortError');

type TrackedRequest = ClientRequest & { [STARTED]?: number | undefined };
/** The parts of an undici request (fetch) its diagnostics channels hand out. */
interface UndiciRequest {
  origin: string | URL;
  method: string;
  path: string;
  [STARTED]?: number | undefined;
  [STATUS]?: number;
}

interface Target {
  readonly address: string;
  readonly port: number;
  readonly scheme: string;
}

/**
 * `error.type` for a finished request, in agentmeter's shared taxonomy (core's classifier decides:
 * the same names the LLM, speech and database wrappers give). A 4xx or 5xx status is an error for
 * a client (semantic conventions); a thrown error is classified by phase: before the response
 * (`connection`, `timeout`, `cancelled`) or once its body was flowing (`stream_error`).
 */
function failureType(status: number, error: unknown, phase: FailurePhase): string | undefined {
  if (status >= 400) return classifyStatus(status);
  return error === undefined ? undefined : classifyFailure(error, phase);
}

/**
 * http.client.request.duration from node:http's client channels and from undici's (Node's
 * fetch). A request is measured from its start until its response body ended, or until it failed.
 */
export class ClientObserver {
  readonly #metrics: HttpMetrics;
  readonly #options: HttpOptions;
  /** Origins seen by fetch, parsed once (bounded: it starts over when full). */
  #origins = new Map<string, Target>();

  constructor(metrics: HttpMetrics, options: HttpOptions) {
    this.#metrics = metrics;
    this.#options = options;
  }

  /** Each channel with its handler, subscribed and unsubscribed together. */
  #channels(): Array<[string, (message: unknown) => void]> {
    return [
      ['http.client.request.start', this.#onHttpStart],
      ['http.client.response.finish', this.#onHttpResponse],
      ['http.client.request.error', this.#onHttpError],
      ['undici:request:create', this.#onFetchCreate],
      ['undici:request:headers', this.#onFetchHeaders],
      ['undici:request:trailers', this.#onFetchDone],
      ['undici:request:error', this.#onFetchError],
    ];
  }

  subscribe(): void {
    for (const [name, handler] of this.#channels()) subscribe(name, handler);
  }

  unsubscribe(): void {
    for (const [name, handler] of this.#channels()) unsubscribe(name, handler);
  }

  /** Requests made with tracing suppressed are telemetry's own (an OTLP push): never measured. */
  #skip(ignore: (() => boolean) | undefined): boolean {
    if (isTracingSuppressed(context.active())) return true;
    if (ignore === undefined) return false;
    try {
      return ignore();
    } catch {
      diag.warn('agentmeter: an http ignoreOutgoing hook threw; the request is measured');
      return false;
    }
  }

  readonly #onHttpStart = (message: unknown): void => {
    const request = (message as { request: TrackedRequest }).request;
    const hook = this.#options.ignoreOutgoing;
    if (
      this.#skip(
        hook &&
          (() =>
            hook({
              method: request.method,
              host: request.host,
              hostname: request.host,
              port: httpTarget(request).port,
              path: request.path,
              protocol: request.protocol,
            })),
      )
    )
      return;
    request[STARTED] = performance.now();
  };

  readonly #onHttpResponse = (message: unknown): void => {
    const { request, response } = message as { request: TrackedRequest; response: IncomingMessage };
    if (request[STARTED] === undefined) return;
    response.once('close', () => {
      const status = response.statusCode ?? 0;
      // A body cut short: by the peer (response.errored) or by the caller, who destroyed it.
      const broken = response.complete ? undefined : (response.errored ?? CALLER_GAVE_UP);
      this.#recordHttp(request, status, versionIndex(response.httpVersion), failureType(status, broken, 'body'));
    });
  };

  readonly #onHttpError = (message: unknown): void => {
    const { request, error } = message as { request: TrackedRequest; error: unknown };
    this.#recordHttp(request, 0, versionIndex(undefined), failureType(0, error, 'request'));
  };

  #recordHttp(request: TrackedRequest, status: number, version: number, error: string | undefined): void {
    const started = request[STARTED];
    if (started === undefined) return;
    request[STARTED] = undefined;
    this.#record(
      httpTarget(request),
      methodIndex(request.method),
      status,
      version,
      error,
      (performance.now() - started) / 1000,
    );
  }

  readonly #onFetchCreate = (message: unknown): void => {
    const request = (message as { request: UndiciRequest }).request;
    const hook = this.#options.ignoreOutgoingFetch;
    if (
      this.#skip(hook && (() => hook({ origin: String(request.origin), method: request.method, path: request.path })))
    )
      return;
    request[STARTED] = performance.now();
  };

  readonly #onFetchHeaders = (message: unknown): void => {
    const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
    if (request[STARTED] !== undefined) request[STATUS] = response.statusCode;
  };

  readonly #onFetchDone = (message: unknown): void => {
    const request = (message as { request: UndiciRequest }).request;
    const status = request[STATUS] ?? 0;
    this.#recordFetch(request, status, failureType(status, undefined, 'body'));
  };

  readonly #onFetchError = (message: unknown): void => {
    const { request, error } = message as { request: UndiciRequest; error: unknown };
    const status = request[STATUS];
    this.#recordFetch(request, status ?? 0, failureType(status ?? 0, error, status === undefined ? 'request' : 'body'));
  };

  #recordFetch(request: UndiciRequest, status: number, error: string | undefined): void {
    const started = request[STARTED];
    if (started === undefined) return;
    request[STARTED] = undefined;
    this.#record(
      this.#fetchTarget(request.origin),
      methodIndex(request.method),
      status,
      versionIndex(undefined),
      error,
      (performance.now() - started) / 1000,
    );
  }

  #fetchTarget(origin: string | URL): Target {
    const text = String(origin);
    let target = this.#origins.get(text);
    if (target === undefined) {
      if (this.#origins.size >= 1000) this.#origins = new Map();
      const url = URL.parse(text);
      const scheme = url?.protocol === 'https:' ? 'https' : 'http';
      target = {
        address: url?.hostname.replace(/^\[|\]$/g, '') ?? '',
        port: Number(url?.port || (scheme === 'https' ? 443 : 80)),
        scheme,
      };
      this.#origins.set(text, target);
    }
    return target;
  }

  #record(
    target: Target,
    method: number,
    status: number,
    version: number,
    error: string | undefined,
    seconds: number,
  ): void {
    const text =
      error === undefined
        ? `${target.scheme}://${target.address}:${target.port}`
        : `${target.scheme}://${target.address}:${target.port} ${error}`;
    const code = (status * 11 + method) * 5 + version;
    const table = this.#metrics.clientDuration;
    const cell =
      table.find(text, code) ??
      table.add(text, code, {
        'http.request.method': methodName(method),
        'server.address': target.address,
        'server.port': target.port,
        'url.scheme': target.scheme,
        ...(status > 0 ? { 'http.response.status_code': status } : {}),
        ...(versionName(version) === undefined ? {} : { 'network.protocol.version': versionName(version) }),
        ...(error === undefined ? {} : { 'error.type': error }),
      });
    cell.record(seconds);
  }
}

/** Where a node:http request goes: its host, and the port from its Host header (or the scheme's default). */
function httpTarget(request: ClientRequest): Target {
  const scheme = request.protocol === 'https:' ? 'https' : 'http';
  const header = request.getHeader('host');
  const match = typeof header === 'string' ? /:(\d+)$/.exec(header) : null;
  return { address: request.host, port: match === null ? (scheme === 'https' ? 443 : 80) : Number(match[1]), scheme };
}
