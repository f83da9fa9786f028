import { createServer, type AddressInfo } from 'node:net';
import { startLoopbackServer, type LoopbackServer } from './server.ts';

/**
 * The error-taxonomy conformance table: one list of failures, each with the one `error_type`
 * every wrapper must give it, and a loopback server that produces them on the wire. Wrappers'
 * tests drive their real clients through every row (packages/llm, packages/speech).
 */
export type ConformanceFailure =
  | 'connection refused'
  | 'HTTP 401'
  | 'HTTP 403'
  | 'HTTP 404'
  | 'HTTP 429'
  | 'HTTP 500'
  | 'HTTP 502'
  | 'HTTP 503'
  | 'client timeout'
  | 'dropped mid-body'
  | 'malformed body'
  | 'caller abort';

export const CONFORMANCE_TABLE: readonly (readonly [ConformanceFailure, string])[] = [
  ['connection refused', 'connection'],
  ['HTTP 401', 'auth'],
  ['HTTP 403', 'auth'],
  ['HTTP 404', 'bad_request'],
  ['HTTP 429', 'rate_limit'],
  ['HTTP 500', 'server_error'],
  ['HTTP 502', 'server_error'],
  ['HTTP 503', 'server_error'],
  ['client timeout', 'timeout'],
  ['dropped mid-body', 'stream_error'],
  ['malformed body', 'stream_error'],
  ['caller abort', 'cancelled'],
];

/**
 * The failures a client cannot meet, each with the reason (an in-process database has no
 * connection to refuse; a byte stream has no syntax to break). The table names them, so no row is
 * left out silently.
 */
export type NotApplicable = Partial<Readonly<Record<ConformanceFailure, string>>>;

/** One row to drive: the client's name, the failure, and the one `error_type` expected. */
export type DrivenRow = readonly [client: string, failure: ConformanceFailure, expected: string];
/** One row that does not apply: the client's name, the failure, and why. */
export type NotApplicableRow = readonly [client: string, failure: ConformanceFailure, reason: string];

/**
 * The whole table for every client: each (client, failure) is either driven, expecting the
 * table's `error_type`, or listed as not applicable with its reason.
 */
export function conformanceRows(clients: Readonly<Record<string, NotApplicable | undefined>>): {
  drive: DrivenRow[];
  notApplicable: NotApplicableRow[];
} {
  const drive: DrivenRow[] = [];
  const notApplicable: NotApplicableRow[] = [];
  for (const [client, skip] of Object.entries(clients)) {
    for (const [failure, expected] of CONFORMANCE_TABLE) {
      const reason = skip?.[failure];
      if (reason === undefined) drive.push([client, failure, expected]);
      else notApplicable.push([client, failure, reason]);
    }
  }
  return { drive, notApplicable };
}

/** What the server answers for the failure being tested. */
export interface FaultServer extends LoopbackServer {
  /** A loopback URL with nothing listening, for `connection refused`. */
  readonly refusedUrl: string;
  /** Where a row's request goes: `refusedUrl` for `connection refused`, else this server. */
  urlFor(failure: ConformanceFailure): string;
  /**
   * The failure the next requests get, and the success body's content type (`text/event-stream`,
   * `audio/mpeg`, ...). `sseEvent` names the malformed SSE frame's event, for clients that skip
   * frames of events they do not know (Anthropic's).
   */
  set(failure: ConformanceFailure, contentType: string, sseEvent?: string): void;
}

const ERROR_BODY = JSON.stringify({
  error: { message: 'simulated failure', type: 'simulated', code: 'simulated' },
  detail: 'simulated failure',
});

/** Starts the fault server on 127.0.0.1 (port 0). `dropped mid-body` sends the headers and a first chunk, then destroys the socket. */
export async function startFaultServer(): Promise<FaultServer> {
  let failure: ConformanceFailure = 'HTTP 500';
  let contentType = 'application/json';
  let event: string | undefined;
  const server = await startLoopbackServer((_req, res) => {
    const status = /^HTTP (\d{3})$/.exec(failure)?.[1];
    if (status !== undefined) {
      res.writeHead(Number(status), { 'content-type': 'application/json', 'retry-after': '0' });
      res.end(ERROR_BODY);
      return;
    }
    if (failure === 'client timeout' || failure === 'caller abort') return; // never answers
    res.writeHead(200, { 'content-type': contentType });
    const sse = contentType.startsWith('text/event-stream');
    const json = contentType.includes('json');
    if (failure === 'malformed body') {
      res.end(
        sse ? `${event === undefined ? '' : `event: ${event}\n`}data: {"not json\n\n` : json ? '{"not json' : '\u0000',
      );
      return;
    }
    // dropped mid-body: a first chunk, then the connection is cut without an end.
    res.write(sse ? ': started\n\n' : json ? '{"partial": ' : Buffer.alloc(4096, 1));
    setTimeout(() => res.socket?.destroy(), 20);
  });
  const refusedUrl = `http://127.0.0.1:${await refusedPort()}`;
  return Object.assign(server, {
    refusedUrl,
    urlFor: (row: ConformanceFailure) => (row === 'connection refused' ? refusedUrl : server.url),
    set(next: ConformanceFailure, type: string, sseEvent?: string): void {
      failure = next;
      contentType = type;
      event = sseEvent;
    },
  });
}

/** A loopback port with nothing listening, for `connection refused`. */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
