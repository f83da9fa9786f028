import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HistogramCell, UpDownCounterCell } from '@agentmeter/core/internal';
import { context, diag, trace } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { methodIndex, methodName, versionIndex, versionName } from './http-metrics.ts';
import type { HttpMetrics } from './http-metrics.ts';
import { routeOf } from './routes.ts';

// State of a request in flight, kept on node's own objects: no Map, no closure per request.
const STARTED: unique symbol = Symbol('agentmeter.http.started');
const ACTIVE: unique symbol = Symbol('agentmeter.http.active');
/** The server span instrumentation-http made for this response (tracing mode), for exemplars. */
export const SPAN: unique symbol = Symbol('agentmeter.http.span');
/** The responses in flight on a socket (more than one only with pipelining). */
const PENDING: unique symbol = Symbol('agentmeter.http.pending');

type Tracked = ServerResponse & { [STARTED]?: number | undefined; [ACTIVE]?: UpDownCounterCell | undefined; [SPAN]?: Span };
type Watched = Socket & { [PENDING]?: Tracked[]; encrypted?: boolean };
interface ServerMessage {
  request: IncomingMessage;
  response: ServerResponse;
  socket: Socket;
  server: Server;
}

const ERROR_NONE = 0;
const ERROR_STATUS = 1;
const ERROR_ABORTED = 2;

export interface ServerOptions {
  /** Requests to leave out (the user's ignoreIncoming, and agentmeter's own /metrics server). */
  readonly ignore: ((request: IncomingMessage, server: Server) => boolean) | undefined;
  readonly activeRequests: boolean;
}

/**
 * http.server.request.duration and http.server.active_requests from node:http's diagnostics
 * channels: a timestamp and an integer update at the start, one histogram record at the finish.
 * A request whose connection closes before its response finished counts with error.type `aborted`.
 */
export class ServerObserver {
  readonly #metrics: HttpMetrics;
  readonly #options: ServerOptions;
  #warned = false;

  constructor(metrics: HttpMetrics, options: ServerOptions) {
    this.#metrics = metrics;
    this.#options = options;
  }

  subscribe(): void {
    subscribe('http.server.request.start', this.#onStart);
    subscribe('http.server.response.finish', this.#onFinish);
  }

  unsubscribe(): void {
    unsubscribe('http.server.request.start', this.#onStart);
    unsubscribe('http.server.response.finish', this.#onFinish);
  }

  readonly #onStart = (message: unknown): void => {
    const { request, response, socket, server } = message as ServerMessage;
    if (this.#options.ignore !== undefined && this.#ignored(request, server)) return;
    const tracked = response as Tracked;
    tracked[STARTED] = performance.now();
    if (this.#options.activeRequests) {
      const method = methodIndex(request.method);
      const scheme = (socket as Watched).encrypted === true ? 1 : 0;
      const code = method * 2 + scheme;
      const active = this.#metrics.activeRequests;
      const cell = active.find(undefined, code) ?? active.add(undefined, code, {
        'http.request.method': methodName(method), 'url.scheme': scheme === 1 ? 'https' : 'http',
      });
      cell.value++;
      tracked[ACTIVE] = cell;
    }
    const watched = socket as Watched;
    let pending = watched[PENDING];
    if (pending === undefined) {
      pending = watched[PENDING] = [];
      socket.on('close', onSocketClose);
    }
    pending.push(tracked);
  };

  readonly #onFinish = (message: unknown): void => {
    const { request, response, socket } = message as ServerMessage;
    const tracked = response as Tracked;
    if (tracked[STARTED] === undefined) return;
    const pending = (socket as Watched)[PENDING];
    if (pending !== undefined) {
      const index = pending[0] === tracked ? 0 : pending.indexOf(tracked);
      if (index === 0) pending.shift();
      else if (index > 0) pending.splice(index, 1);
    }
    this.#end(tracked, request, socket as Watched, false);
  };

  /** Ends a tracked request: once, whether it finished or its connection closed first. */
  #end(response: Tracked, request: IncomingMessage, socket: Watched, aborted: boolean): void {
    const started = response[STARTED];
    if (started === undefined) return;
    const seconds = (performance.now() - started) / 1000;
    response[STARTED] = undefined;
    const active = response[ACTIVE];
    if (active !== undefined) {
      active.value--;
      response[ACTIVE] = undefined;
    }
    const status = response.headersSent ? response.statusCode : 0;
    const method = methodIndex(request.method);
    const scheme = socket.encrypted === true ? 1 : 0;
    const version = versionIndex(request.httpVersion);
    const error = aborted ? ERROR_ABORTED : status >= 500 ? ERROR_STATUS : ERROR_NONE;
    const code = (((status * 11 + method) * 2 + scheme) * 5 + version) * 3 + error;
    const route = routeOf(request);
    const table = this.#metrics.serverDuration;
    const cell = table.find(route, code) ?? table.add(route, code, serverAttributes(method, status, scheme, version, error, route));
    const span = response[SPAN];
    if (span === undefined) cell.record(seconds);
    else recordInSpan(cell, seconds, span);
  }

  #ignored(request: IncomingMessage, server: Server): boolean {
    try {
      return this.#options.ignore!(request, server);
    } catch (error) {
      if (!this.#warned) {
        this.#warned = true;
        diag.warn(`agentmeter: http.ignoreIncoming threw (${error instanceof Error ? error.message : String(error)}); the request is measured`);
      }
      return false;
    }
  }

  /** The socket closed: every response still in flight on it was cut off. */
  abortPending(socket: Watched): void {
    const pending = socket[PENDING];
    if (pending === undefined || pending.length === 0) return;
    for (const response of pending.splice(0)) {
      if (response.req !== undefined) this.#end(response, response.req, socket, true);
    }
  }
}

/** The observer whose subscription is live; sockets' close listeners reach it through here. */
let current: ServerObserver | undefined;
export function setCurrentServerObserver(observer: ServerObserver | undefined): void {
  current = observer;
}

function onSocketClose(this: Watched): void {
  current?.abortPending(this);
}

function recordInSpan(cell: HistogramCell, seconds: number, span: Span): void {
  context.with(trace.setSpan(context.active(), span), () => cell.record(seconds));
}

function serverAttributes(method: number, status: number, scheme: number, version: number, error: number, route: string | undefined): Attributes {
  const attributes: Attributes = { 'http.request.method': methodName(method), 'url.scheme': scheme === 1 ? 'https' : 'http' };
  const protocol = versionName(version);
  if (protocol !== undefined) attributes['network.protocol.version'] = protocol;
  if (status > 0) attributes['http.response.status_code'] = status;
  if (route !== undefined) attributes['http.route'] = route;
  if (error !== ERROR_NONE) attributes['error.type'] = error === ERROR_ABORTED ? 'aborted' : String(status);
  return attributes;
}
