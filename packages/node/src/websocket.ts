import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { AgentMeterConfigError } from '@agentmeter/core';
import { claimClient } from '@agentmeter/core/internal';
import type { AgentMeter, RecordAttributes, Session } from '@agentmeter/core';
import { runningHandle } from './start.ts';

/** The parts of a `ws` WebSocket this module uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: unknown, ...rest: unknown[]): void;
  on(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
}
/** The parts of a `ws` WebSocketServer this module uses. */
export interface WebSocketServerLike {
  prependListener(event: 'connection', listener: (socket: WebSocketLike, request: IncomingMessage) => void): unknown;
}

export interface WebSocketInstrumentationOptions {
  /** The meter to record on (default: the one from start()). */
  meter?: AgentMeter;
  /**
   * Attributes of every series of a connection, from its upgrade request (keys must be declared
   * with `attributes: { websocket: [...] }` on the meter). Return low-cardinality values only.
   */
  attributes?: (request: IncomingMessage) => RecordAttributes | undefined;
  /**
   * Maps connections to the session family (active_sessions, sessions_total, session_duration):
   * `true` makes every connection a session; a function decides per connection and may return
   * the session's attributes, or `false` for a connection that is not a session.
   */
  sessions?: boolean | ((request: IncomingMessage) => RecordAttributes | boolean | undefined);
}

const OPEN = 1;

/** Payload size of what `ws` hands to 'message' listeners or takes in send(). */
export function payloadBytes(data: unknown): number {
  try {
    if (typeof data === 'string') return Buffer.byteLength(data);
    if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
    if (Array.isArray(data)) {
      let total = 0;
      for (const part of data) total += payloadBytes(part);
      return total;
    }
  } catch {
    // A proxy or a throwing getter handed to send(): ws decides what to do with it, not us.
  }
  return 0;
}

function resolveMeter(options: WebSocketInstrumentationOptions): AgentMeter {
  const meter = options.meter ?? runningHandle()?.meter;
  if (meter === undefined || typeof meter !== 'object' || typeof meter.startSession !== 'function') {
    throw new AgentMeterConfigError(
      'instrumentWebSocketServer: pass { meter } (from createAgentMeter) or call start() first',
    );
  }
  return meter;
}

function sessionFor(
  meter: AgentMeter,
  sessions: WebSocketInstrumentationOptions['sessions'],
  request: IncomingMessage,
): Session | undefined {
  if (sessions === undefined || sessions === false) return undefined;
  if (sessions === true) return meter.startSession();
  let decision: RecordAttributes | boolean | undefined;
  try {
    decision = sessions(request);
  } catch {
    return undefined;
  }
  if (decision === true) return meter.startSession();
  if (typeof decision === 'object' && decision !== null) return meter.startSession(decision);
  return undefined;
}

/**
 * Counts a `ws` server's connections, messages and bytes in each direction and how long
 * connections stay open; optionally maps connections to sessions. Returns the same server.
 * Only connections opened after this call are measured.
 */
export function instrumentWebSocketServer<T extends WebSocketServerLike>(
  server: T,
  options: WebSocketInstrumentationOptions = {},
): T {
  if (typeof server !== 'object' || server === null || typeof server.prependListener !== 'function') {
    throw new AgentMeterConfigError('instrumentWebSocketServer takes a ws WebSocketServer');
  }
  if (typeof options !== 'object' || options === null)
    throw new AgentMeterConfigError('instrumentWebSocketServer: options must be an object');
  if (options.attributes !== undefined && typeof options.attributes !== 'function') {
    throw new AgentMeterConfigError('instrumentWebSocketServer: attributes must be a function of the upgrade request');
  }
  const { sessions } = options;
  if (sessions !== undefined && typeof sessions !== 'boolean' && typeof sessions !== 'function') {
    throw new AgentMeterConfigError(
      'instrumentWebSocketServer: sessions must be true, false or a function of the upgrade request',
    );
  }
  const meter = resolveMeter(options);
  // Wrapping twice changes nothing a scrape sees: the first wrap's meter and options stay.
  if (!claimClient(server, 'instrumentWebSocketServer', options)) return server;
  const { websocketConnectionsActive, websocketMessages, websocketTraffic, websocketConnectionDuration } =
    meter.instruments;

  server.prependListener('connection', (socket, request) => {
    try {
      let attributes: RecordAttributes;
      try {
        // Spread inside the try: a returned proxy or getter that throws leaves the connection unlabelled, not unmeasured.
        attributes = { ...options.attributes?.(request) };
      } catch {
        attributes = {};
      }
      const active = websocketConnectionsActive.bind(attributes);
      const messagesIn = websocketMessages.bind({ ...attributes, direction: 'in' });
      const messagesOut = websocketMessages.bind({ ...attributes, direction: 'out' });
      const bytesIn = websocketTraffic.bind({ ...attributes, direction: 'in' });
      const bytesOut = websocketTraffic.bind({ ...attributes, direction: 'out' });
      const duration = websocketConnectionDuration.bind(attributes);
      const opened = performance.now();
      const session = sessionFor(meter, sessions, request);
      active.add(1);

      socket.on('message', (data) => {
        messagesIn.add(1);
        bytesIn.add(payloadBytes(data));
      });
      const send = socket.send;
      // An own property shadows WebSocket.prototype.send for this socket only.
      socket.send = function sendMeasured(this: WebSocketLike, data: unknown, ...rest: unknown[]): void {
        if (this.readyState === OPEN) {
          messagesOut.add(1);
          bytesOut.add(payloadBytes(data));
        }
        return send.call(this, data, ...rest);
      };
      // 'close' fires for clean closes and for dropped connections (code 1006) alike.
      socket.once('close', () => {
        active.add(-1);
        duration.record((performance.now() - opened) / 1000);
        session?.end();
      });
    } catch {
      // Measuring a connection must never break it.
    }
  });
  return server;
}
