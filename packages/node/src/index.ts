/**
 * start(): the meter, /metrics, OTLP push, HTTP, WebSocket, runtime and host metrics in one call.
 *
 * @packageDocumentation
 * @module @agentmeter/node
 */
export { start, runningHandle } from './start.ts';
export { instrumentWebSocketServer, payloadBytes } from './websocket.ts';
export { instrumentFastify, instrumentHono, setHttpRoute } from './routes.ts';

export type { AgentMeterHandle, ClusterOptions, HandleControls, HttpOptions, OtlpOptions, PrometheusOptions, StartOptions } from './types.ts';
export type { WebSocketInstrumentationOptions, WebSocketLike, WebSocketServerLike } from './websocket.ts';
export type { FastifyLike, HonoLike } from './routes.ts';
