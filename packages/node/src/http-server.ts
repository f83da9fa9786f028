import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { HistogramCell, UpDownCounterCell } from '@agentmeter/core/internal';
import { context, diag, trace } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { methodIndex, methodName, versionName, versionOf } from './http-metrics.ts';
import type { HttpMetrics } from './http-metrics.ts';
import { IN_FLIGHT, routeOf } from './routes.ts';
import type { RouteHolder } from './routes.ts';

/** The server span instrumentation-http made for this response (tracing mode), for exemplars. */
export const SPAN: unique symbol = Symbol('agentmeter.http.span');
/** A connection's requests in flight, kept on the socket: one object per connection, nothing per request. */
const STATE: typeof IN_FLIGHT = IN_FLIGHT;

type Tracked = ServerResponse & { [SPAN]?: Span };
type Watched = Socket & { [STATE]?: Connection; encrypted?: boolean; server?: object };

/** One request in flight: what its start edge read, so the finish edge reads only the clock. */
interface InFlight {
  response: Tracked | undefined;
  started: number;
  /** request.method as it was at the start, and its index (re-read at the finish only if it changed). */
  method: string | undefined;
  methodCode: number;
  active: UpDownCounterCell | undefined;
  /** The route template the framework (or setHttpRoute) gave it. */
  route: string | undefined;
}

/** The request in flight on a connection, and (only with pipelining) the ones queued behind it. */
class Connection implements InFlight, RouteHolder {
  response: Tracked | undefined = undefined;
  started = 0;
  method: string | undefined = undefined;
  methodCode = 0;
  active: UpDownCounterCell | undefined = undefined;
  route: string | undefined = undefined;
  /** 1 on a TLS socket (url.scheme https); a socket never changes. */
  readonly scheme: number;
  queued: InFlight[] | undefined = undefined;
  /**
   * The subscription that started tracking this connection. A keep-alive connection outlives a
   * shutdown(): a later subscription finds it holding what the earlier one left in flight.
   */
  owner: object;

  constructor(scheme: number, owner: object) {
    this.scheme = scheme;
    this.owner = owner;
  }

  /**
   * Hands the connection to `owner`, dropping what an earlier subscription left in flight: those
   * requests are not this one's to count, and they no longer count as active.
   */
  adopt(owner: object): void {
    this.owner = owner;
    this.release();
  }

  /** Forgets every request in flight here, counting each out of active_requests, without recording it. */
  release(): void {
    if (this.active !== undefined) this.active.value--;
    for (const entry of this.queued ?? []) if (entry.active !== undefined) entry.active.value--;
    this.queued = undefined;
    this.clear();
  }

  /** Takes a queued (pipelined) request's entry out of the queue, if it is there. */
  takeQueued(response: ServerResponse): InFlight | undefined {
    const index = this.queued?.findIndex((entry) => entry.response === response) ?? -1;
    return index < 0 ? undefined : this.queued!.splice(index, 1)[0];
  }

  /**
   * Whether `request` already has a response in flight here: a second ServerResponse that application
   * code built for it (node:http never finishes that one), which is not a request of its own.
   */
  serves(request: IncomingMessage): boolean {
    return this.response?.req === request || this.queued?.some((entry) => entry.response?.req === request) === true;
  }

  holdRoute(request: object, route: string): boolean {
    if (this.response?.req === request) {
      this.route = route;
      return true;
    }
    const entry = this.queued?.find((queued) => queued.response?.req === request);
    if (entry !== undefined) entry.route = route;
    return entry !== undefined;
  }

  clear(): void {
    this.response = undefined;
    this.active = undefined;
    this.route = undefined;
  }
}

/** `http.server.response.created`: published as node:http builds the response to a request it parsed. */
interface CreatedMessage {
  request: IncomingMessage;
  response: ServerResponse;
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
  /** The user's ignoreIncoming: requests to leave out. */
  readonly ignore: ((request: IncomingMessage) => boolean) | undefined;
  readonly activeRequests: boolean;
}

/**
 * http.server.request.duration and http.server.active_requests from node:http's diagnostics
 * channels: a clock read and an integer update at the start, a clock read and one histogram
 * record at the finish. Series are found by small integer codes (method x scheme; status x method
 * x scheme x version x error under the route), so a request builds no attribute object, string or
 * closure once its series exist. A request whose connection closes before its response finished
 * counts with error.type `aborted`.
 */
export class ServerObserver {
  readonly #metrics: HttpMetrics;
  readonly #options: ServerOptions;
  /** http.server.active_requests cells by method x scheme. */
  readonly #active: (UpDownCounterCell | undefined)[] = [];
  /** A server whose requests are never measured (agentmeter's own /metrics server). */
  #ownServer: object | undefined;
  /**
   * Renewed at each subscribe(): a connection's record belongs to one subscription, so what an
   * earlier one left in flight (its finish was never seen) is dropped, not matched against.
   */
  #subscription: object = {};
  #warned = false;

  constructor(metrics: HttpMetrics, options: ServerOptions) {
    this.#metrics = metrics;
    this.#options = options;
  }

  /** Leaves out every request to `server` (one comparison per request). */
  ignoreServer(server: object): void {
    this.#ownServer = server;
  }

  // The start edge is `http.server.response.created`, published in ServerResponse's constructor, not
  // `http.server.request.start`, published in parserOnIncoming: V8 inlines the channel's publish into
  // whichever function publishes, and in parserOnIncoming it took the inlining budget that
  // EventEmitter#emit (the server's 'request' event) uses in a service without subscribers.
  subscribe(): void {
    this.#subscription = {};
    subscribe('http.server.response.created', this.#onStart);
    subscribe('http.server.response.finish', this.#onFinish);
  }

  unsubscribe(): void {
    unsubscribe('http.server.response.created', this.#onStart);
    unsubscribe('http.server.response.finish', this.#onFinish);
  }

  readonly #onStart = (message: unknown): void => {
    const { request, response } = message as CreatedMessage;
    const socket = request.socket as Watched | null;
    // A response built outside a server's connection (light-my-request's inject) has no server socket.
    if (socket === null || socket.server === undefined || socket.server === this.#ownServer) return;
    // node:http builds a request's response as its headers are parsed, before the message completes;
    // a response built for a request already read to its end is application code's, not a request.
    if (request.complete) return;
    if (this.#options.ignore !== undefined && this.#ignored(request)) return;
    let connection = socket[STATE];
    if (connection === undefined) {
      connection = socket[STATE] = new Connection(socket.encrypted === true ? 1 : 0, this.#subscription);
      socket.on('close', onSocketClose);
    } else if (connection.owner !== this.#subscription) {
      connection.adopt(this.#subscription);
    }
    const method = request.method;
    const methodCode = methodIndex(method);
    if (connection.response === undefined) {
      connection.response = response;
      connection.method = method;
      connection.methodCode = methodCode;
      connection.active = this.#activate(methodCode, connection.scheme);
      connection.started = performance.now();
    } else if (!connection.serves(request)) {
      const active = this.#activate(methodCode, connection.scheme);
      const started = performance.now();
      (connection.queued ??= []).push({ response, started, method, methodCode, active, route: undefined });
    }
  };

  /** Counts a request in flight, if active_requests is on; returns the cell to count it down at the end. */
  #activate(method: number, scheme: number): UpDownCounterCell | undefined {
    if (!this.#options.activeRequests) return undefined;
    const active = this.#activeCell(method, scheme);
    active.value++;
    return active;
  }

  #activeCell(method: number, scheme: number): UpDownCounterCell {
    const code = method * 2 + scheme;
    const cell = this.#active[code];
    if (cell !== undefined) return cell;
    const table = this.#metrics.activeRequests;
    const added =
      table.find(undefined, code) ??
      table.add(undefined, code, {
        'http.request.method': methodName(method),
        'url.scheme': scheme === 1 ? 'https' : 'http',
      });
    this.#active[code] = added;
    return added;
  }

  readonly #onFinish = (message: unknown): void => {
    const { request, response, socket } = message as ServerMessage;
    const connection = (socket as Watched)[STATE];
    if (connection === undefined || connection.owner !== this.#subscription) return;
    if (connection.response === response) {
      this.#end(connection, response, request, connection.scheme, false);
      connection.clear();
    } else {
      const queued = connection.takeQueued(response);
      if (queued !== undefined) this.#end(queued, response, request, connection.scheme, false);
    }
  };

  /** Records a request that finished, or whose connection closed first. */
  #end(inFlight: InFlight, response: Tracked, request: IncomingMessage, scheme: number, aborted: boolean): void {
    const seconds = (performance.now() - inFlight.started) / 1000;
    if (inFlight.active !== undefined) inFlight.active.value--;
    const status = response.headersSent ? response.statusCode : 0;
    const method = request.method === inFlight.method ? inFlight.methodCode : methodIndex(request.method);
    const version = versionOf(request.httpVersionMajor, request.httpVersionMinor);
    const error = aborted ? ERROR_ABORTED : status >= 500 ? ERROR_STATUS : ERROR_NONE;
    const code = (((status * 11 + method) * 2 + scheme) * 5 + version) * 3 + error;
    const route = inFlight.route ?? routeOf(request);
    const table = this.#metrics.serverDuration;
    const cell =
      table.find(route, code) ??
      table.add(route, code, serverAttributes(method, status, scheme, version, error, route));
    const span = response[SPAN];
    if (span === undefined) cell.record(seconds);
    else recordInSpan(cell, seconds, span);
  }

  #ignored(request: IncomingMessage): boolean {
    try {
      return this.#options.ignore!(request) === true;
    } catch (error) {
      if (!this.#warned) {
        this.#warned = true;
        diag.warn(
          `agentmeter: http.ignoreIncoming threw (${error instanceof Error ? error.message : String(error)}); the request is measured`,
        );
      }
      return false;
    }
  }

  /**
   * The connection closed: every response still in flight on it was cut off. Returns false, and
   * does nothing, when the connection is not this subscription's.
   */
  abortPending(connection: Connection): boolean {
    if (connection.owner !== this.#subscription) return false;
    const cut: InFlight[] = connection.queued?.splice(0) ?? [];
    if (connection.response !== undefined) {
      const { response, started, method, methodCode, active, route } = connection;
      cut.unshift({ response, started, method, methodCode, active, route });
    }
    connection.clear();
    for (const inFlight of cut) {
      const response = inFlight.response!;
      if (response.req !== undefined) this.#end(inFlight, response, response.req, connection.scheme, true);
    }
    return true;
  }
}

/** The observer whose subscription is live; sockets' close listeners reach it through here. */
let current: ServerObserver | undefined;
export function setCurrentServerObserver(observer: ServerObserver | undefined): void {
  current = observer;
}

/**
 * A connection closed. The live subscription records what was in flight on it as aborted; what an
 * earlier one left there (no observer saw it finish or get cut off) only stops counting as active.
 */
function onSocketClose(this: Watched): void {
  const connection = this[STATE];
  if (connection !== undefined && current?.abortPending(connection) !== true) connection.release();
}

function recordInSpan(cell: HistogramCell, seconds: number, span: Span): void {
  context.with(trace.setSpan(context.active(), span), () => cell.record(seconds));
}

function serverAttributes(
  method: number,
  status: number,
  scheme: number,
  version: number,
  error: number,
  route: string | undefined,
): Attributes {
  const attributes: Attributes = {
    'http.request.method': methodName(method),
    'url.scheme': scheme === 1 ? 'https' : 'http',
  };
  const protocol = versionName(version);
  if (protocol !== undefined) attributes['network.protocol.version'] = protocol;
  if (status > 0) attributes['http.response.status_code'] = status;
  if (route !== undefined) attributes['http.route'] = route;
  if (error !== ERROR_NONE) attributes['error.type'] = error === ERROR_ABORTED ? 'aborted' : String(status);
  return attributes;
}
