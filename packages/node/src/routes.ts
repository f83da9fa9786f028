import type { IncomingMessage, ServerResponse } from 'node:http';
import { AgentMeterConfigError } from '@agentmeter/core';
import { context, diag } from '@opentelemetry/api';
import { claimClient } from '@agentmeter/core/internal';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';

/**
 * Where a request carries its route template when no HTTP observer holds it (see RouteHolder): a
 * property of the request object, no context lookup.
 */
const ROUTE: unique symbol = Symbol('agentmeter.http.route');
type Routed = { [ROUTE]?: string };

/** The HTTP observer's record of a connection's requests in flight, kept on the socket under this key. */
export const IN_FLIGHT: unique symbol = Symbol('agentmeter.http.connection');

/**
 * Takes a request's route template if the request is in flight on it. The route goes on the
 * observer's record, not the request: a new property on every request object would change its
 * hidden class mid-request, so every function of the framework that reads the request after
 * routing would see two.
 */
export interface RouteHolder {
  holdRoute(request: object, route: string): boolean;
}
type OnSocket = { socket?: { [IN_FLIGHT]?: RouteHolder } | null };

const state = {
  /** With spans on (tracing mode), routes also go to instrumentation-http's RPC metadata, for span names. */
  tracing: false,
  warnedContextless: false,
};

export function setTracingRoutes(on: boolean): void {
  state.tracing = on;
}

function usable(route: unknown): route is string {
  return typeof route === 'string' && route !== '' && route.length <= 256 && route.charCodeAt(0) === 47; /* / */
}

/** Records the route template on the request (and, in tracing mode, on the span's RPC metadata). */
export function setRequestRoute(request: object, route: string): void {
  putRoute(request, route);
  if (state.tracing) setContextRoute(route);
}

/** Labels the request with its route, on the observer's record of it in flight, else on the request. */
export function putRoute(request: object, route: string): void {
  const holder = (request as OnSocket).socket?.[IN_FLIGHT];
  if (holder === undefined || !holder.holdRoute(request, route)) (request as Routed)[ROUTE] = route;
}

function setContextRoute(route: string): void {
  const metadata = getRPCMetadata(context.active());
  if (metadata?.type === RPCType.HTTP) metadata.route = route;
}

/** The route template set on the request itself (when no observer held it), if any. */
export function routeOf(request: IncomingMessage): string | undefined {
  return (request as Routed)[ROUTE];
}

/**
 * Sets the route template (`/users/:id`, never the raw path) that labels this request's
 * http.server.request.duration as http.route. Call it while handling the request, with the
 * request (or its response): `setHttpRoute(req, '/users/:id')`. Values that are not a path
 * template of at most 256 characters starting with `/` are ignored.
 *
 * The one-argument form `setHttpRoute('/users/:id')` finds the request through the active
 * OpenTelemetry context, which exists only in tracing mode (see docs/node.md).
 */
export function setHttpRoute(request: IncomingMessage | ServerResponse, route: string): void;
export function setHttpRoute(route: string): void;
export function setHttpRoute(first: IncomingMessage | ServerResponse | string, route?: string): void {
  if (typeof first === 'object' && first !== null) {
    if (!usable(route)) return;
    const target = 'req' in first && typeof first.req === 'object' && first.req !== null ? first.req : first;
    setRequestRoute(target, route);
    return;
  }
  if (!usable(first)) return;
  if (state.tracing) {
    setContextRoute(first);
  } else if (!state.warnedContextless) {
    state.warnedContextless = true;
    diag.warn(
      'agentmeter: setHttpRoute(route) without the request needs tracing mode; call setHttpRoute(req, route) so the route labels the request',
    );
  }
}

type FastifyHandler = (this: unknown, request: { raw?: object }, ...rest: unknown[]) => unknown;

/** The parts of a Fastify instance this module uses. */
export interface FastifyLike {
  addHook(name: 'onRoute', hook: (route: { url?: string; handler?: FastifyHandler }) => void): unknown;
}

/**
 * Labels Fastify requests with their route template (`/users/:id`): each route's handler, as it is
 * registered, first writes its template on the request (no per-request hook). Call it before
 * registering routes. Returns the same instance.
 */
export function instrumentFastify<T extends FastifyLike>(app: T): T {
  if (typeof app !== 'object' && typeof app !== 'function')
    throw new AgentMeterConfigError('instrumentFastify takes a Fastify instance');
  if (typeof app?.addHook !== 'function') throw new AgentMeterConfigError('instrumentFastify takes a Fastify instance');
  if (!claimClient(app, 'instrumentFastify', {})) return app; // one hook, however often it is called
  app.addHook('onRoute', (route) => {
    const { url, handler } = route;
    if (typeof url !== 'string' || typeof handler !== 'function') return;
    // Fastify calls a handler with (request, reply): named parameters, no rest array per request.
    route.handler = function routed(this: unknown, request, reply) {
      if (request.raw !== undefined) setRequestRoute(request.raw, url);
      return handler.call(this, request, reply);
    };
  });
  return app;
}

interface HonoRoute {
  path: string;
  handler: unknown;
}
interface HonoContextLike {
  req: { routeIndex: number; matchedRoutes: HonoRoute[] };
  /** @hono/node-server puts the node:http request here. */
  env?: { incoming?: object };
}
/** The parts of a Hono app this module uses. */
export interface HonoLike {
  use(path: string, handler: (c: HonoContextLike, next: () => Promise<void>) => Promise<void>): unknown;
}

function honoRouteMiddleware(c: HonoContextLike, next: () => Promise<void>): Promise<void> {
  const incoming = c.env?.incoming;
  // Read before next(): in tracing mode the route also goes to the span's context, which is this one.
  const metadata = state.tracing ? getRPCMetadata(context.active()) : undefined;
  return next().then(() => {
    try {
      const route = c.req.matchedRoutes[c.req.routeIndex];
      // Middleware (Hono's own test: it takes `next`) answers unmatched requests; only handlers name routes.
      if (route === undefined || typeof route.handler !== 'function' || route.handler.length >= 2) return;
      if (typeof incoming === 'object' && incoming !== null) putRoute(incoming, route.path);
      if (metadata?.type === RPCType.HTTP) metadata.route = route.path;
    } catch {
      // An unexpected Hono version leaves the request without a route, not broken.
    }
  });
}

/**
 * Labels Hono requests (served by @hono/node-server) with the template of the route that
 * answered. Register it before the routes; requests answered by middleware or by notFound (404)
 * get no route. Returns the same app.
 */
export function instrumentHono<T extends HonoLike>(app: T): T {
  if (typeof app !== 'object' || app === null || typeof app.use !== 'function')
    throw new AgentMeterConfigError('instrumentHono takes a Hono app');
  if (!claimClient(app, 'instrumentHono', {})) return app; // one middleware, however often it is called
  app.use('*', honoRouteMiddleware);
  return app;
}
