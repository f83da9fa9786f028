import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HistogramCell, UpDownCounterCell } from '@agentmeter/core/internal';
import { context, diag, trace } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { methodIndex, methodName, versionIndex, versionName } from './http-metrics.ts';
import type { HttpMetrics } from './http-metrics.ts';
import { routeOf } from './routes.ts';

/** The server span instrumentation-http made for this response (tracing mode), for exemplars. */
export const SPAN: unique symbol = Symbol('agentmeter.http.span');
/** A connection's requests in flight, kept on the socket: one object per connection, nothing per request. */
const STATE: unique symbol = Symbol('agentmeter.http.connection');

type Tracked = ServerResponse & { [SPAN]?: Span };
type Watched = Socket & { [STATE]?: Connection; encrypted?: boolean };

/** One request in flight. */
interface InFlight {
  response: Tracked | undefined;
  started: number;
  active: UpDownCounterCell | undefined;
}

/** The request in flight on a connection, and (only with pipelining) the ones queued behind it. */
class Connection implements InFlight {
  response: Tracked | undefined = undefined;
  started = 0;
  active: UpDownCounterCell | undefined = undefined;
  queued: InFlight[] | undefined = undefined;

  /** Takes a queued (pipelined) request's entry out of the queue, if it is there. */
  takeQueued(response: ServerResponse): InFlight | undefined {
    const index = this.queued?.findIndex((entry) => entry.response === response) ?? -1;
    return index < 0 ? undefined : this.queued!.splice(index, 1)[0];
  }

  clear(): void {
    this.response = undefined;
    this.active = undefined;
  }
}

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
    let active: UpDownCounterCell | undefined;
    if (this.#options.activeRequests) {
      const method = methodIndex(request.method);
      const scheme = (socket as Watched).encrypted === true ? 1 : 0;
      const code = method * 2 + scheme;
      const table = this.#metrics.activeRequests;
      active = table.find(undefined, code) ?? table.add(undefined, code, {
        'http.request.method': methodName(method), 'url.scheme': scheme === 1 ? 'https' : 'http',
      });
      active.value++;
    }
    const watched = socket as Watched;
    let connection = watched[STATE];
    if (connection === undefined) {
      connection = watched[STATE] = new Connection();
      socket.on('close', onSocketClose);
    }
    if (connection.response === undefined) {
      connection.response = response;
      connection.started = performance.now();
      connection.active = active;
    } else {
      (connection.queued ??= []).push({ response, started: performance.now(), active });
    }
  };

  readonly #onFinish = (message: unknown): void => {
    const { request, response, socket } = message as ServerMessage;
    const connection = (socket as Watched)[STATE];
    if (connection === undefined) return;
    if (connection.response === response) {
      this.#end(connection, response, request, socket as Watched, false);
      connection.clear();
    } else {
      const queued = connection.takeQueued(response);
      if (queued !== undefined) this.#end(queued, response, request, socket as Watched, false);
    }
  };

  /** Records a request that finished, or whose connection closed first. */
  #end(inFlight: InFlight, response: Tracked, request: IncomingMessage, socket: Watched, aborted: boolean): void {
    const seconds = (performance.now() - inFlight.started) / 1000;
    if (inFlight.active !== undefined) inFlight.active.value--;
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
    const connection = socket[STATE];
    if (connection === undefined) return;
    const cut: InFlight[] = connection.queued?.splice(0) ?? [];
    if (connection.response !== undefined) cut.unshift({ response: connection.response, started: connection.started, active: connection.active });
    connection.clear();
    for (const inFlight of cut) {
      const response = inFlight.response!;
      if (response.req !== undefined) this.#end(inFlight, response, response.req, socket, true);
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
