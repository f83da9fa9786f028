import { channel } from 'node:diagnostics_channel';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { envNumber, fmt, table } from '../../../scripts/bench-kit.ts';
import { HttpMetrics } from '../src/http-metrics.ts';
import { ServerObserver, setCurrentServerObserver } from '../src/http-server.ts';
import { setHttpRoute } from '../src/routes.ts';

const finish = channel('http.server.response.finish');
const ROUNDS = 11;
const REQUESTS = 200_000;
/**
 * Kilobytes of short-lived objects the loop allocates twice per request, between the two messages, as
 * a framework's handler would (`BENCH_OBSERVER_ALLOCATE_KB=8`); none by default, which measures the
 * observer with everything it touches in the caches.
 */
const ALLOCATE_KB = envNumber('BENCH_OBSERVER_ALLOCATE_KB', 0, { zero: true });
/** Bytes of one link below: a header of three words and two fields (Node's V8 has no pointer compression). */
const LINK_BYTES = 40;
const LINKS = Math.round((ALLOCATE_KB * 1024) / LINK_BYTES);

interface Link {
  value: number;
  next: Link | undefined;
}
/** The last chain allocated: kept until the next one, so none is optimized away. */
let kept: Link | undefined;

/** A chain of young objects, ALLOCATE_KB of them (LINK_BYTES each, with their headers). */
function allocate(seed: number): void {
  let head: Link | undefined;
  for (let i = 0; i < LINKS; i++) head = { value: seed + i, next: head };
  kept = head;
}

/** ns per request of a loop that builds a request and response and publishes what node:http publishes. */
function perRequest(routed: boolean): number {
  // A server's socket, as node:http's connection listener marks it; ServerResponse's constructor
  // publishes http.server.response.created (the observer's start edge) itself.
  const server = {};
  const socket = Object.assign(new Socket(), { server });
  const begin = process.hrtime.bigint();
  for (let i = 0; i < REQUESTS; i++) {
    const request = new IncomingMessage(socket);
    request.method = 'GET';
    // What node:http's parser sets: the observer reads the version from the two numbers.
    request.httpVersionMajor = 1;
    request.httpVersionMinor = 1;
    request.httpVersion = '1.1';
    const response = new ServerResponse(request);
    if (LINKS > 0) allocate(i);
    if (routed) setHttpRoute(request, '/items/:id');
    response.statusCode = 200;
    Reflect.set(response, '_header', 'x'); // headers sent, as after writeHead
    if (LINKS > 0) allocate(i);
    if (finish.hasSubscribers) finish.publish({ request, response, socket, server });
  }
  return Number(process.hrtime.bigint() - begin) / REQUESTS;
}

const median = (values: number[]): number => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** What start()'s server observer adds to one request, measured in-process (steadier than a load test on a busy machine). */
export async function run(): Promise<string> {
  const metrics = new HttpMetrics(2000);
  const observer = new ServerObserver(metrics, { activeRequests: true, ignore: undefined });
  observer.ignoreServer(new Socket()); // as start() does with its /metrics server
  const bare: number[] = [];
  const observed: number[] = [];
  perRequest(true);
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(perRequest(true));
    observer.subscribe();
    setCurrentServerObserver(observer);
    observed.push(perRequest(true));
    observer.unsubscribe();
    setCurrentServerObserver(undefined);
  }
  // The loop measures the observer only if it saw every request.
  const recorded = [...metrics.serverDuration.handles()].reduce((sum, cell) => sum + cell.count, 0);
  if (recorded !== ROUNDS * REQUESTS)
    throw new Error(`the observer recorded ${recorded} of ${ROUNDS * REQUESTS} requests`);
  if (LINKS > 0 && kept === undefined) throw new Error('the loop allocated nothing');
  const added = median(observed) - median(bare);
  return [
    '### @agentmeter/node: the diagnostics_channel observer per request',
    '',
    `In-process: ${fmt(REQUESTS)} requests (a real IncomingMessage and ServerResponse each, with a route template) through the two channels ` +
      `node:http publishes, with and without start()'s observer subscribed; median of ${ROUNDS} interleaved rounds.` +
      (LINKS > 0
        ? ` Between the two messages each request allocates ${fmt(ALLOCATE_KB)} KB of short-lived objects twice (BENCH_OBSERVER_ALLOCATE_KB), as a handler would.`
        : ''),
    '',
    table(
      ['loop', 'ns/request'],
      [
        ['request and response objects, no subscriber', fmt(median(bare))],
        ['the same, observer subscribed (timestamp, in-flight count, duration record)', fmt(median(observed))],
        ['added by the observer', fmt(added)],
      ],
    ),
  ].join('\n');
}
