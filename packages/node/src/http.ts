import { ServerResponse } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { metrics } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { reuse } from './reuse.ts';
import type { HttpOptions } from './types.ts';

const KNOWN_METHODS = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE'];

/**
 * In-flight requests per method as plain integers, read by an observable instrument at
 * collection: the request path does two integer updates instead of two SDK records.
 */
class ActiveRequests {
  readonly #counts = new Map<string, number>();
  /** Methods that have had a request, reported from then on (0 included), however fast they were. */
  readonly #seen = new Set<string>();

  constructor() {
    for (const method of [...KNOWN_METHODS, '_OTHER']) this.#counts.set(method, 0);
  }

  track(response: ServerResponse): void {
    const given = response.req.method ?? 'GET';
    const method = this.#counts.has(given) && given !== '_OTHER' ? given : '_OTHER';
    this.#counts.set(method, this.#counts.get(method)! + 1);
    this.#seen.add(method);
    response.once('close', () => this.#counts.set(method, this.#counts.get(method)! - 1));
  }

  /** Methods seen so far, with their in-flight counts (methods never seen are not reported). */
  observe(report: (value: number, attributes: Attributes) => void): void {
    for (const method of this.#seen) report(this.#counts.get(method)!, { 'http.request.method': method });
  }
}

export interface HttpSetup {
  /** node:http and, for outgoing requests, fetch (undici), which LLM SDKs use. */
  readonly instrumentations: Instrumentation[];
  /** Creates http.server.active_requests once the SDK's MeterProvider is global. */
  connectMeter(): void;
}

/** instrumentation-http and -undici for request durations, plus http.server.active_requests which they lack. */
export function createHttpInstrumentation(options: HttpOptions, isOwnRequest: (request: IncomingMessage) => boolean): HttpSetup {
  const active = new ActiveRequests();
  const instrumentation = reuse<HttpInstrumentation>('http', {
    disableOutgoingRequestInstrumentation: options.client === false,
    ignoreIncomingRequestHook: (request: IncomingMessage) => {
      return isOwnRequest(request) || options.ignoreIncoming?.(request) === true;
    },
    ...(options.ignoreOutgoing ? { ignoreOutgoingRequestHook: options.ignoreOutgoing } : {}),
    // Called for every instrumented server request before the user's handler runs.
    ...(options.activeRequests === false
      ? {}
      : {
          responseHook: (_span, response) => {
            if (response instanceof ServerResponse) active.track(response);
          },
        }),
  } satisfies HttpInstrumentationConfig, (config) => new HttpInstrumentation(config));
  const client = options.client === false
    ? []
    : [reuse<UndiciInstrumentation>('undici', options.ignoreOutgoingFetch ? { ignoreRequestHook: options.ignoreOutgoingFetch } : {}, (config) => new UndiciInstrumentation(config))];
  return {
    instrumentations: [instrumentation, ...client],
    connectMeter: () => {
      if (options.activeRequests === false) return;
      metrics.getMeter('@agentmeter/node').createObservableUpDownCounter('http.server.active_requests', {
        description: 'Number of active HTTP server requests.',
        unit: '{request}',
      }).addCallback((result) => active.observe((value, attributes) => result.observe(value, attributes)));
    },
  };
}
