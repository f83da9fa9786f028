import type { IncomingMessage } from 'node:http';
import { AgentMeterConfigError } from '@agentmeter/core';
import { diag } from '@opentelemetry/api';
import type { EndpointRequest, EndpointResponse } from './routes.ts';

/** What the framework adapters need from the exporter. */
export interface MountableEndpoints {
  /** The paths the exporter serves. */
  readonly paths: readonly string[];
  handle(request: EndpointRequest): Promise<EndpointResponse | undefined>;
}

/** The parts of a Fastify instance the plugin uses (structural, so fastify stays optional). */
export interface FastifyInstanceLike {
  route(options: {
    method: string[];
    url: string;
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>;
  }): unknown;
}
export interface FastifyRequestLike {
  readonly raw: IncomingMessage;
}
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  headers(headers: Record<string, string>): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The exporter's paths, checked once at creation: a PrometheusExporter (or anything with `paths` and `handle`). */
function mountable(name: string, exporter: MountableEndpoints): string[] {
  const paths: unknown = exporter?.paths;
  if (
    typeof exporter?.handle !== 'function' ||
    !Array.isArray(paths) ||
    paths.some((path) => typeof path !== 'string')
  ) {
    throw new AgentMeterConfigError(
      `${name}: expected a PrometheusExporter (with paths and handle()); got ${exporter === null ? 'null' : typeof exporter}`,
    );
  }
  return [...paths] as string[];
}

function header(raw: IncomingMessage, name: string): string | undefined {
  const value = raw.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * A Fastify plugin serving the exporter's paths: `await app.register(fastifyMetrics(exporter))`.
 * Every method is routed to the exporter, which answers 405 to the ones it does not serve.
 */
export function fastifyMetrics(exporter: MountableEndpoints): (app: FastifyInstanceLike) => Promise<void> {
  const paths = mountable('fastifyMetrics', exporter);
  return async (app) => {
    if (typeof app?.route !== 'function')
      throw new AgentMeterConfigError(
        'fastifyMetrics: register it with a Fastify instance: await app.register(fastifyMetrics(exporter))',
      );
    for (const path of paths) {
      app.route({
        method: METHODS,
        url: path,
        handler: async (request, reply) => {
          const raw = request.raw;
          const answer = await exporter.handle({
            method: raw.method ?? 'GET',
            path,
            header: (name) => header(raw, name),
          });
          if (answer === undefined) return reply.code(404).send();
          return reply
            .code(answer.status)
            .headers(answer.headers)
            .send(Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength));
        },
      });
    }
  };
}

/** The parts of a Hono context the middleware uses. */
export interface HonoContextLike {
  readonly req: {
    readonly method: string;
    readonly path: string;
    header(name: string): string | undefined;
  };
}

/**
 * Hono middleware serving the exporter's paths and passing everything else on:
 * `app.use(honoMetrics(exporter))`.
 */
export function honoMetrics(
  exporter: MountableEndpoints,
): (c: HonoContextLike, next: () => Promise<void>) => Promise<Response | undefined> {
  mountable('honoMetrics', exporter);
  return async (c, next) => {
    let response: Response | undefined;
    try {
      const answer = await exporter.handle({
        method: c.req.method,
        path: c.req.path,
        header: (name) => c.req.header(name),
      });
      if (answer !== undefined) {
        const body = answer.body.byteLength === 0 ? null : answer.body;
        response = new Response(body as ConstructorParameters<typeof Response>[0], {
          status: answer.status,
          headers: answer.headers,
        });
      }
    } catch (error) {
      // A context it cannot read is passed on, as a path it does not serve would be.
      diag.error('@agentmeter/prometheus: honoMetrics could not answer the request', error);
    }
    if (response !== undefined) return response;
    // The rest of the app's chain: its errors are the app's own and propagate.
    if (typeof next === 'function') await next();
    return undefined;
  };
}
