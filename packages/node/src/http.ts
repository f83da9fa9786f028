import { ServerResponse } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { createNoopMeter, ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { ClientObserver } from './http-client.ts';
import { HttpMetrics } from './http-metrics.ts';
import { ServerObserver, setCurrentServerObserver, SPAN } from './http-server.ts';
import { createExpressRouteInstrumentation } from './express-routes.ts';
import { reuse } from './reuse.ts';
import { setTracingRoutes } from './routes.ts';
import type { HttpOptions } from './types.ts';

const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();
/** instrumentation-http and -undici make spans in tracing mode; their metrics go nowhere, so nothing counts twice. */
const NO_METRICS: MeterProvider = { getMeter: () => createNoopMeter() };

/**
 * Tracing mode: an explicit `http.tracing`, else a traces exporter asked for through
 * OTEL_TRACES_EXPORTER, else a TracerProvider the application registered before start().
 */
export function tracingWanted(option: boolean | undefined, env: Readonly<Record<string, string | undefined>>): boolean {
  if (option !== undefined) return option;
  const exporter = env['OTEL_TRACES_EXPORTER']?.trim().toLowerCase();
  if (exporter !== undefined && exporter !== '' && exporter !== 'none') return true;
  const provider = trace.getTracerProvider();
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  return delegate !== NOOP_TRACER_PROVIDER;
}

export interface HttpSetupOptions {
  readonly tracing: boolean;
  /** Route templates for Express (and, in tracing mode, Express spans). */
  readonly express: boolean;
  readonly exemplars: boolean;
  readonly seriesLimit: number;
  /** Requests that reached agentmeter's own /metrics server. */
  readonly isOwnRequest: (request: IncomingMessage) => boolean;
}

export interface HttpSetup {
  /** The HTTP instruments, reported by the meter's producer (or a producer of their own). */
  readonly metrics: HttpMetrics;
  /** Express route templates; in tracing mode also instrumentation-http, -undici and -express, for spans. */
  readonly instrumentations: Instrumentation[];
  /** Subscribes to the diagnostics channels; call after the SDK started. */
  start(): void;
  /** Leaves out every request to this server (agentmeter's own /metrics server). */
  ignoreServer(server: object): void;
  stop(): void;
}

/**
 * HTTP metrics from node:diagnostics_channel, recorded straight into agentmeter's cells. In
 * tracing mode OpenTelemetry's HTTP instrumentations run as well, for spans only.
 */
export function createHttp(options: HttpOptions, setup: HttpSetupOptions): HttpSetup {
  const metrics = new HttpMetrics(setup.seriesLimit);
  metrics.exemplars = setup.tracing && setup.exemplars;
  const server = new ServerObserver(metrics, {
    activeRequests: options.activeRequests !== false,
    ignore: options.ignoreIncoming,
  });
  const client = options.client === false ? undefined : new ClientObserver(metrics, options);
  const spans = setup.tracing ? tracingInstrumentations(options, setup) : [];
  const instrumentations = [...(setup.express ? [createExpressRouteInstrumentation()] : []), ...spans];
  return {
    metrics,
    instrumentations,
    ignoreServer: (own) => server.ignoreServer(own),
    start: () => {
      setTracingRoutes(setup.tracing);
      for (const instrumentation of spans) instrumentation.setMeterProvider(NO_METRICS);
      server.subscribe();
      setCurrentServerObserver(server);
      client?.subscribe();
    },
    stop: () => {
      server.unsubscribe();
      setCurrentServerObserver(undefined);
      client?.unsubscribe();
      setTracingRoutes(false);
    },
  };
}

function tracingInstrumentations(options: HttpOptions, setup: HttpSetupOptions): Instrumentation[] {
  const http = reuse<HttpInstrumentation>(
    'http',
    {
      disableOutgoingRequestInstrumentation: options.client === false,
      ignoreIncomingRequestHook: (request: IncomingMessage) =>
        setup.isOwnRequest(request) || options.ignoreIncoming?.(request) === true,
      ...(options.ignoreOutgoing ? { ignoreOutgoingRequestHook: options.ignoreOutgoing } : {}),
      // The server span, kept on the response so its duration's exemplar links to it.
      responseHook: (span, response) => {
        if (response instanceof ServerResponse) (response as ServerResponse & { [SPAN]?: typeof span })[SPAN] = span;
      },
    } satisfies HttpInstrumentationConfig,
    (config) => new HttpInstrumentation(config),
  );
  const undici =
    options.client === false
      ? []
      : [
          reuse<UndiciInstrumentation>(
            'undici',
            options.ignoreOutgoingFetch ? { ignoreRequestHook: options.ignoreOutgoingFetch } : {},
            (config) => new UndiciInstrumentation(config),
          ),
        ];
  const express = setup.express
    ? [reuse<ExpressInstrumentation>('express', {}, (config) => new ExpressInstrumentation(config))]
    : [];
  return [http, ...undici, ...express];
}
