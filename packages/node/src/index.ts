/**
 * start(): the meter, /metrics, OTLP push, HTTP, WebSocket, runtime and host metrics in one call.
 *
 * @packageDocumentation
 * @module @agentmeter/node
 */
import { guardCreation } from '@agentmeter/core/internal';
import { instrumentWebSocketServer as rawInstrumentWebSocketServer } from './websocket.ts';
import { instrumentFastify as rawInstrumentFastify, instrumentHono as rawInstrumentHono } from './routes.ts';
import { start as rawStart } from './start.ts';
export { runningHandle } from './start.ts';
export { payloadBytes } from './websocket.ts';
export { setHttpRoute } from './routes.ts';

export type {
  AgentMeterHandle,
  ClusterOptions,
  HandleControls,
  HttpOptions,
  OtlpOptions,
  PrometheusOptions,
  RuntimeOptions,
  StartOptions,
} from './types.ts';
export type { WebSocketInstrumentationOptions, WebSocketLike, WebSocketServerLike } from './websocket.ts';
export type { FastifyLike, HonoLike } from './routes.ts';

/**
 * Counts a `ws` server's connections, messages and bytes in each direction and how long
 * connections stay open; optionally maps connections to sessions. Returns the same server.
 * Only connections opened after this call are measured.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentWebSocketServer: typeof rawInstrumentWebSocketServer = guardCreation(
  'instrumentWebSocketServer',
  rawInstrumentWebSocketServer,
);
/**
 * Labels Fastify requests with their route template (`/users/:id`): each route's handler, as it is
 * registered, first writes its template on the request (no per-request hook). Call it before
 * registering routes. Returns the same instance.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentFastify: typeof rawInstrumentFastify = guardCreation('instrumentFastify', rawInstrumentFastify);
/**
 * Labels Hono requests (served by @hono/node-server) with the template of the route that
 * answered. Register it before the routes; requests answered by middleware or by notFound (404)
 * get no route. Returns the same app.
 *
 * Whatever reading its arguments throws becomes an AgentMeterConfigError naming it.
 */
export const instrumentHono: typeof rawInstrumentHono = guardCreation('instrumentHono', rawInstrumentHono);
/**
 * Starts agentmeter: the meter, the OpenTelemetry Node SDK with HTTP, runtime and host metrics,
 * a /metrics server and OTLP push. A second call returns the running handle with one warning.
 * Configuration mistakes throw AgentMeterConfigError before anything starts.
 *
 * Whatever reading its options throws becomes an AgentMeterConfigError naming it.
 */
export const start: typeof rawStart = guardCreation('@agentmeter/node start()', rawStart);
