import { ServerResponse } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { metrics } from '@opentelemetry/api';
import type { Attributes, UpDownCounter } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type { HttpOptions } from './types.ts';

const KNOWN_METHODS = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE'];
// One frozen attribute set per method, built once, so counting allocates nothing per request.
const METHOD_ATTRIBUTES = new Map<string, Attributes>(
  KNOWN_METHODS.map((method) => [method, Object.freeze({ 'http.request.method': method })]),
);
const OTHER_METHOD: Attributes = Object.freeze({ 'http.request.method': '_OTHER' });

export interface HttpSetup {
  readonly instrumentation: HttpInstrumentation;
  /** Creates http.server.active_requests once the SDK's MeterProvider is global. */
  connectMeter(): void;
}

/** instrumentation-http for request durations, plus http.server.active_requests which it lacks. */
export function createHttpInstrumentation(options: HttpOptions, ownServers: ReadonlySet<Server>): HttpSetup {
  let active: UpDownCounter | undefined;
  const countActive = (response: ServerResponse): void => {
    if (active === undefined) return;
    const attributes = METHOD_ATTRIBUTES.get(response.req.method ?? 'GET') ?? OTHER_METHOD;
    active.add(1, attributes);
    const counter = active;
    response.once('close', () => counter.add(-1, attributes));
  };
  const instrumentation = new HttpInstrumentation({
    disableOutgoingRequestInstrumentation: options.client === false,
    ignoreIncomingRequestHook: (request: IncomingMessage) => {
      const server = (request.socket as { server?: Server } | undefined)?.server;
      if (server !== undefined && ownServers.has(server)) return true;
      return options.ignoreIncoming?.(request) === true;
    },
    ...(options.ignoreOutgoing ? { ignoreOutgoingRequestHook: options.ignoreOutgoing } : {}),
    // Called for every instrumented server request before the user's handler runs.
    ...(options.activeRequests === false
      ? {}
      : {
          responseHook: (_span, response) => {
            if (response instanceof ServerResponse) countActive(response);
          },
        }),
  });
  return {
    instrumentation,
    connectMeter: () => {
      if (options.activeRequests === false) return;
      active = metrics.getMeter('@agentmeter/node').createUpDownCounter('http.server.active_requests', {
        description: 'Number of active HTTP server requests.',
        unit: '{request}',
      });
    },
  };
}
