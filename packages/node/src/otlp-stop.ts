import * as http from 'node:http';
import * as https from 'node:https';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * The OTLP exporter's retrying transport retries ECONNREFUSED, ECONNRESET and timeouts with a
 * backoff of up to 13 s, within a request timeout of up to 24 s by default. At shutdown that
 * would hold the process close to Kubernetes' 30 s grace period, so the final push is bounded here.
 */
const SHUTDOWN_CODE = 'ERR_AGENTMETER_SHUTDOWN';

/** An error code the exporter's transport does not retry. */
export function shutdownError(message: string): Error {
  return Object.assign(new Error(message), { code: SHUTDOWN_CODE });
}

export interface StoppableAgents {
  /** For the exporter's `httpAgentOptions`: one keep-alive agent per protocol. */
  readonly factory: (protocol: string) => http.Agent;
  /** Ends every open connection with a non-retryable error and refuses new ones. */
  stop(): void;
}

type CreateConnection = (
  options: unknown,
  callback?: (error: Error | null, socket?: Duplex) => void,
) => Duplex | undefined;

export function stoppableAgents(): StoppableAgents {
  const agents = new Map<string, http.Agent>();
  const sockets = new Set<Duplex>();
  let stopped = false;
  return {
    factory(protocol) {
      let agent = agents.get(protocol);
      if (agent !== undefined) return agent;
      agent = protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
      const create = (agent.createConnection as CreateConnection).bind(agent);
      (agent as unknown as { createConnection: CreateConnection }).createConnection = (options, callback) => {
        if (stopped) {
          callback?.(shutdownError('agentmeter: shut down; the OTLP push was abandoned'));
          return undefined;
        }
        const socket = create(options, callback);
        if (socket !== undefined) {
          sockets.add(socket);
          socket.once('close', () => sockets.delete(socket));
        }
        return socket;
      };
      agents.set(protocol, agent);
      return agent;
    },
    stop() {
      stopped = true;
      for (const socket of sockets)
        socket.destroy(shutdownError('agentmeter: shutdown timeout reached; the OTLP push was abandoned'));
      sockets.clear();
      for (const agent of agents.values()) agent.destroy();
    },
  };
}

/**
 * Whether a TCP connection to the Collector opens within `timeoutMillis`: resolves with the
 * refusal's code (ECONNREFUSED, ...) or 'timeout', or undefined when it connects.
 */
export function probe(url: string, timeoutMillis: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      resolve(undefined);
      return;
    }
    const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    const socket = connect({ host, port });
    const done = (outcome: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('timeout'), Math.max(1, timeoutMillis));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
