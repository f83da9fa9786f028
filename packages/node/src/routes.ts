import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';

/**
 * Sets the route template (`/users/:id`, never the raw path) that instrumentation-http puts on
 * this request's http.server.request.duration as http.route. Call it while handling the request.
 */
export function setHttpRoute(route: string): void {
  if (typeof route !== 'string' || route === '' || route.length > 256) return;
  const metadata = getRPCMetadata(context.active());
  if (metadata?.type === RPCType.HTTP) metadata.route = route;
}

/** The parts of a Fastify instance this module uses. */
export interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (request: { routeOptions?: { url?: string } }, reply: unknown, done: () => void) => void,
  ): unknown;
}

/** Labels Fastify requests with their route template (`/users/:id`). Returns the same instance. */
export function instrumentFastify<T extends FastifyLike>(app: T): T {
  if (typeof app !== 'object' && typeof app !== 'function') throw new TypeError('instrumentFastify takes a Fastify instance');
  if (typeof app?.addHook !== 'function') throw new TypeError('instrumentFastify takes a Fastify instance');
  app.addHook('onRequest', (request, _reply, done) => {
    const url = request.routeOptions?.url;
    if (url !== undefined) setHttpRoute(url);
    done();
  });
  return app;
}

interface HonoRoute {
  path: string;
  handler: unknown;
}
interface HonoContextLike {
  req: { routeIndex: number; matchedRoutes: HonoRoute[] };
}
/** The parts of a Hono app this module uses. */
export interface HonoLike {
  use(path: string, handler: (c: HonoContextLike, next: () => Promise<void>) => Promise<void>): unknown;
}

function honoRouteMiddleware(c: HonoContextLike, next: () => Promise<void>): Promise<void> {
  const metadata = getRPCMetadata(context.active());
  return next().then(() => {
    if (metadata?.type !== RPCType.HTTP) return;
    try {
      const route = c.req.matchedRoutes[c.req.routeIndex];
      // Middleware (Hono's own test: it takes `next`) answers unmatched requests; only handlers name routes.
      if (route !== undefined && typeof route.handler === 'function' && route.handler.length < 2) metadata.route = route.path;
    } catch {
      // An unexpected Hono version leaves the request without a route, not broken.
    }
  });
}

/**
 * Labels Hono requests with the template of the route that answered. Register it before the
 * routes; requests answered by middleware or by notFound (404) get no route. Returns the same app.
 */
export function instrumentHono<T extends HonoLike>(app: T): T {
  if (typeof app !== 'object' || app === null || typeof app.use !== 'function') throw new TypeError('instrumentHono takes a Hono app');
  app.use('*', honoRouteMiddleware);
  return app;
}
