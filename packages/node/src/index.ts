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

export type { AgentMeterHandle, ClusterOptions, HandleControls, HttpOptions, OtlpOptions, PrometheusOptions, StartOptions } from './types.ts';
export type { WebSocketInstrumentationOptions, WebSocketLike, WebSocketServerLike } from './websocket.ts';
export type { FastifyLike, HonoLike } from './routes.ts';

/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentWebSocketServer: typeof rawInstrumentWebSocketServer = guardCreation('instrumentWebSocketServer', rawInstrumentWebSocketServer);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentFastify: typeof rawInstrumentFastify = guardCreation('instrumentFastify', rawInstrumentFastify);
/** Whatever reading its arguments throws becomes an AgentMeterConfigError naming it. */
export const instrumentHono: typeof rawInstrumentHono = guardCreation('instrumentHono', rawInstrumentHono);
/** Starts agentmeter (see start.ts). Whatever reading its options throws becomes an AgentMeterConfigError naming it. */
export const start: typeof rawStart = guardCreation('@agentmeter/node start()', rawStart);
