import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { AgentMeterConfigError } from '@agentmeter/core';

type Env = Readonly<Record<string, string | undefined>>;
/** An option's name, its value, whether the value is environment text, and the variable. */
type Source = [name: string, value: unknown, fromVariable: boolean, variable: string];

/** Where the metrics endpoint listens and who may read it: the options `start()` and `PrometheusExporter` share. */
export interface EndpointOptions {
  host?: string;
  port?: number;
  endpoint?: string;
  token?: string;
}

export interface ResolvedEndpoint {
  readonly host: string;
  readonly port: number;
  readonly endpoint: string;
  readonly token: string | undefined;
}

/**
 * Loopback by default: an endpoint without a token must not be reachable from the network
 * unless the operator says so (`host: '0.0.0.0'` or AGENTMETER_PROMETHEUS_HOST=0.0.0.0).
 */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 9464;
export const DEFAULT_ENDPOINT = '/metrics';
/** Longest bearer token accepted: far above any generated secret, far below a header limit. */
export const MAX_TOKEN_LENGTH = 4096;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const PATH = /^\/[\x21-\x7e]*$/;

/** A path the endpoint can serve: starts with /, visible ASCII, no query or fragment. */
export function isEndpointPath(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 1024 && PATH.test(value) && !/[?#]/.test(value);
}

/** Server limits: a slow or silent client cannot hold a connection or a request open. */
export const SERVER_TIMEOUTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
} as const;

/** A bad option as the message shows it; BigInt, throwing getters and proxies cannot make this throw. */
export function show(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 120);
  } catch {
    return `a ${typeof value}`;
  }
}

/** The first environment variable that is set (non-empty), with its name. */
function fromEnv(env: Env, names: readonly string[]): [string, string] | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return [name, value.trim()];
  }
  return undefined;
}

/**
 * Validates host, port, path and token once, for whoever starts the endpoint. Options win over
 * environment variables, which win over the defaults above. Every refusal is an
 * AgentMeterConfigError naming the option (`${prefix}host`) or the variable it came from; a
 * token's value is never shown.
 */
export function resolveEndpoint(given: EndpointOptions, env: Env, where: string, prefix = ''): ResolvedEndpoint {
  // Names the option and its variable, or only the variable the bad value came from.
  const fail = ([name, , fromVariable, variable]: Source, rule: string, shown: string): never => {
    const hint = fromVariable ? '' : ` (option ${name} or ${variable})`;
    throw new AgentMeterConfigError(`${where}: ${fromVariable ? variable : name} must be ${rule}${hint}${shown}`);
  };
  const source = (option: string, value: unknown, names: readonly string[]): Source => {
    if (value !== undefined) return [`${prefix}${option}`, value, false, names[0]!];
    const found = fromEnv(env, names);
    return found === undefined
      ? [`${prefix}${option}`, undefined, false, names[0]!]
      : [`${prefix}${option}`, found[1], true, found[0]];
  };

  const hostSource = source('host', given.host, ['AGENTMETER_PROMETHEUS_HOST', 'OTEL_EXPORTER_PROMETHEUS_HOST']);
  const host = hostSource[1] ?? DEFAULT_HOST;
  if (typeof host !== 'string' || !VISIBLE_ASCII.test(host.trim()) || host.length > 255) {
    fail(hostSource, 'a host name or address such as 127.0.0.1 or 0.0.0.0', `; got ${show(host)}`);
  }

  const portSource = source('port', given.port, ['AGENTMETER_PROMETHEUS_PORT', 'OTEL_EXPORTER_PROMETHEUS_PORT']);
  const port = portSource[2] ? Number(portSource[1]) : (portSource[1] ?? DEFAULT_PORT);
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    fail(portSource, 'a whole number from 0 to 65535 (0 picks a free port)', `; got ${show(portSource[1])}`);
  }

  const pathSource = source('endpoint', given.endpoint, ['AGENTMETER_PROMETHEUS_ENDPOINT']);
  const endpoint = pathSource[1] ?? DEFAULT_ENDPOINT;
  if (!isEndpointPath(endpoint)) {
    fail(
      pathSource,
      'a path starting with / such as /metrics (visible ASCII, no spaces, query or fragment)',
      `; got ${show(endpoint)}`,
    );
  }

  const tokenSource = source('token', given.token, ['AGENTMETER_METRICS_TOKEN']);
  const token = tokenSource[1];
  if (
    token !== undefined &&
    (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !VISIBLE_ASCII.test(token))
  ) {
    // The message names the problem, never the value.
    fail(
      tokenSource,
      `1 to ${MAX_TOKEN_LENGTH} visible ASCII characters (no spaces or non-ASCII letters, which no Authorization header could match)`,
      '',
    );
  }
  return {
    host: (host as string).trim(),
    port: port as number,
    endpoint: endpoint as string,
    token: token as string | undefined,
  };
}

/**
 * Connections to a server agentmeter owns (made by createEndpointServer): they carry nothing but
 * metrics and health requests, so a refused scraper's connection may be paused (see Routes).
 */
const ownConnections = new WeakSet<object>();

export function isOwnConnection(socket: object | null | undefined): boolean {
  return socket !== null && socket !== undefined && ownConnections.has(socket);
}

/** A node:http server for the endpoint, with explicit header, request and keep-alive timeouts. */
export function createEndpointServer(listener: RequestListener): Server {
  const server = createServer(
    { requestTimeout: SERVER_TIMEOUTS.requestTimeoutMs, headersTimeout: SERVER_TIMEOUTS.headersTimeoutMs },
    listener,
  );
  server.keepAliveTimeout = SERVER_TIMEOUTS.keepAliveTimeoutMs;
  server.on('connection', (socket) => ownConnections.add(socket));
  return server;
}

/**
 * Stops reading a connection for `ms` (its next request waits in the kernel, not in the heap),
 * then reads on. Node's own pause for pipelined requests is kept: its resume handler re-pauses.
 */
export function pauseConnection(socket: Socket, ms: number): void {
  if (socket.destroyed) return;
  socket.pause();
  setTimeout(() => socket.resume(), ms).unref();
}
