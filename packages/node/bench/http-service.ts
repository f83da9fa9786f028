// The service under load for overhead.bench.ts: `node http-service.ts <framework> <variant> [toggled]` prints
// its port. Toggled, the variant's start() is stopped and started again on IPC messages (toggle.bench.ts).
import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DEFAULT_EVENT_LOOP_RESOLUTION_MILLIS } from '../src/config.ts';
import { createHttp } from '../src/http.ts';
import { instrumentFastify, start } from '../src/index.ts';
import type { StartOptions } from '../src/index.ts';

const PROMETHEUS = { host: '127.0.0.1', port: 0 } as const;
const NOTHING = 'toggling nothing (A/A check)';
const BARE_AGAIN = 'bare, a second bare process (A/A check)';
const SAMPLER_ALONE = "monitorEventLoopDelay alone, at start()'s resolution";
const OBSERVER_ALONE = "start()'s HTTP observer alone, the rest of start() staying on";
const EMPTY_SUBSCRIBERS = "empty subscribers on the observer's two channels, the rest of start() staying on";
const NEW_OBSERVER = 'a new HTTP observer at each switch on, the rest of start() staying on';
const OWN_OBSERVER = "start()'s own HTTP observer switched, its start() running throughout";
const HELD_ACTIVE = "start(), the observer's two channels held active from launch by a subscriber that does nothing";
const VARIANTS: Record<string, StartOptions | undefined> = {
  bare: undefined,
  // Paired with bare in overhead.bench.ts, the fresh-process comparison's null check: two processes of
  // the same code, so its ratio is what two processes differ by (what V8 compiled in each, where the
  // scheduler put them), not a cost.
  [BARE_AGAIN]: undefined,
  'start()': { prometheus: PROMETHEUS },
  'start(), http: false': { prometheus: PROMETHEUS, http: false },
  'start(), tracing (instrumentation-http)': { prometheus: PROMETHEUS, http: { tracing: true } },
  'start(), event-loop delay sampled every 100 ms': {
    prometheus: PROMETHEUS,
    runtime: { eventLoopDelayResolutionMillis: 100 },
  },
  // OpenTelemetry's and prom-client's resolution, agentmeter's default before 2026-12-06.
  'start(), event-loop delay sampled every 10 ms': {
    prometheus: PROMETHEUS,
    runtime: { eventLoopDelayResolutionMillis: 10 },
  },
  'start(), runtime: false': { prometheus: PROMETHEUS, runtime: false },
  // Express without its route labels (the Route#dispatch wrapper is never installed).
  'start(), express: false': { prometheus: PROMETHEUS, express: false },
  // The peer: prom-client's default metrics (event-loop delay sampled every 10 ms, GC observer).
  'prom-client collectDefaultMetrics()': undefined,
  // Toggled, the crossover's null check: on and off are the same process doing the same work, so
  // its ratios are the bench's own bias and noise, not a cost.
  [NOTHING]: undefined,
  // Toggled, only Node's event-loop delay histogram at start()'s default resolution: what its timer costs alone.
  [SAMPLER_ALONE]: undefined,
  // Toggled, only the HTTP observer start() subscribes (no SDK start or shutdown, which leave work
  // behind them: garbage, code to compile): start() with `http: false` runs throughout.
  [OBSERVER_ALONE]: { prometheus: PROMETHEUS, http: false },
  // Toggled, subscribers that do nothing on the two channels the observer uses: what Node's publishing
  // costs a request (the message objects, the calls), the floor under the observer's own work.
  [EMPTY_SUBSCRIBERS]: { prometheus: PROMETHEUS, http: false },
  // Toggled, the observer-alone variant, but built anew at each switch on, as start() builds its own.
  [NEW_OBSERVER]: { prometheus: PROMETHEUS, http: false },
  // Toggled, the subscriptions of start()'s own observer (whose metrics the meter reports, with Express's
  // route patch labelling requests), while that start() runs from launch to the end: start() as a whole
  // without its shutdown() and start() between windows.
  [OWN_OBSERVER]: { prometheus: PROMETHEUS },
  // Toggled, start() as a whole, while a subscriber that does nothing stays on the two channels the
  // observer uses: node:http's channel objects then never change class (Node swaps a channel's
  // prototype as its first subscriber comes and its last goes), so the code that publishes on them
  // never sees both classes. Both sides pay Node's publishing; the difference is the rest of start().
  [HELD_ACTIVE]: { prometheus: PROMETHEUS },
};

const framework = process.argv[2] ?? 'node:http';
const variant = process.argv[3] ?? 'bare';
if (!(variant in VARIANTS)) throw new Error(`unknown variant ${variant}`);
const options = VARIANTS[variant];
const toggled = process.argv[4] === 'toggled';
/** The channels the HTTP observer subscribes to. */
const CHANNELS = ['http.server.response.created', 'http.server.response.finish'];
if (variant === HELD_ACTIVE) for (const name of CHANNELS) subscribe(name, holdActive);
// start() first: Express is loaded after it (as a CommonJS app would load it), so its routes are labelled.
let handle = options === undefined ? undefined : start({ ...options, diagLogger: false });
await handle?.ready;
if (variant === 'prom-client collectDefaultMetrics()') (await import('prom-client')).collectDefaultMetrics();

const body = { ok: true, items: [1, 2, 3] };
const text = JSON.stringify(body);
const require = createRequire(import.meta.url);

async function serve(): Promise<Server> {
  if (framework === 'express') {
    const express = require('express') as typeof import('express');
    const app = express();
    app.get('/items/:id', (_request, response) => void response.json(body));
    return app.listen(0, '127.0.0.1') as Server;
  }
  if (framework === 'fastify') {
    const fastify = (require('fastify') as typeof import('fastify')).default;
    const app = fastify();
    // Toggled, the route wrapper stays while start() is off, as it would in an application.
    if (handle !== undefined) instrumentFastify(app);
    app.get('/items/:id', async () => body);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return app.server;
  }
  return createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(text);
  }).listen(0, '127.0.0.1');
}

const server = await serve();
if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
// Connections accepted so far, reported with the CPU time: a steady load checks it kept its own.
let connections = 0;
server.on('connection', () => connections++);
const address = server.address();
process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
// CPU time over IPC (not HTTP, so reading it adds no instrumented request).
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMicros: user + system, userMicros: user, connections, observed: observedRequests() });
  } else if (toggled && (message === 'on' || message === 'off')) {
    void toggle(message === 'on').then(() => process.send?.({ toggled: message }));
  }
});

const sampler = monitorEventLoopDelay({ resolution: DEFAULT_EVENT_LOOP_RESOLUTION_MILLIS });
// The observer-alone variant's observer, as start() builds it with defaults (without Express's route
// patch, which start() installs at load only with HTTP metrics on: Express requests get no route).
const newObserver = (): ReturnType<typeof createHttp> =>
  createHttp({}, { tracing: false, express: false, exemplars: true, seriesLimit: 2000, isOwnRequest: () => false });
let observer = variant === OBSERVER_ALONE || variant === NEW_OBSERVER ? newObserver() : undefined;
/** Requests counted by the observers the new-observer variant dropped. */
let dropped = 0;

/** Requests the observer-alone variant's observer counted, or messages the empty subscribers got (0 for the other variants). */
function observedRequests(): number {
  let count = published + dropped;
  for (const cell of observer?.metrics.serverDuration.handles() ?? []) count += cell.count;
  return count;
}

/** The own-observer variant: start()'s subscriber on each of CHANNELS (read from Node's channel, bench only). */
const ownSubscribers = variant === OWN_OBSERVER ? CHANNELS.map(startSubscriber) : [];
let ownSubscribed = true;

type Subscriber = (message: unknown, name: string | symbol) => void;

function startSubscriber(name: string): Subscriber {
  // oxlint-disable-next-line no-underscore-dangle -- Node's own list: start() does not hand out its observer
  const subscribers = (channel(name) as unknown as { _subscribers?: Subscriber[] })._subscribers;
  if (subscribers?.length !== 1) throw new Error(`${OWN_OBSERVER}: expected start()'s one subscriber on ${name}`);
  return subscribers[0]!;
}
/** The empty-subscribers variant's subscriber; counts its calls, so a test can see it was called. */
let published = 0;
const emptySubscriber = (): void => void published++;
function holdActive(): void {}

/** Stops or starts the variant's start() in this process (the same process measures both sides). */
async function toggle(on: boolean): Promise<void> {
  if (variant === EMPTY_SUBSCRIBERS) {
    for (const name of CHANNELS) (on ? subscribe : unsubscribe)(name, emptySubscriber);
  } else if (variant === OWN_OBSERVER) {
    if (on === ownSubscribed) return;
    ownSubscribed = on;
    CHANNELS.forEach((name, index) => (on ? subscribe : unsubscribe)(name, ownSubscribers[index]!));
    if (CHANNELS.some((name) => channel(name).hasSubscribers !== on)) throw new Error(`${OWN_OBSERVER}: switch failed`);
  } else if (observer !== undefined) {
    if (on && variant === NEW_OBSERVER) {
      for (const cell of observer.metrics.serverDuration.handles()) dropped += cell.count;
      observer = newObserver();
    }
    if (on) observer.start();
    else observer.stop();
  } else if (variant === SAMPLER_ALONE) {
    if (on) sampler.enable();
    else sampler.disable();
  } else if (options === undefined) {
    return;
  } else if (on && handle === undefined) {
    handle = start({ ...options, diagLogger: false });
    await handle.ready;
  } else if (!on && handle !== undefined) {
    await handle.shutdown();
    handle = undefined;
  }
  // The held-active variant is only what it says if shutdown() left the do-nothing subscriber in place.
  if (variant === HELD_ACTIVE && CHANNELS.some((name) => !channel(name).hasSubscribers))
    throw new Error(`${HELD_ACTIVE}: a channel went inactive`);
}
process.on('SIGTERM', () => {
  process.disconnect?.();
  server.close();
  void (handle?.shutdown() ?? Promise.resolve()).then(() => process.exit(0));
});
