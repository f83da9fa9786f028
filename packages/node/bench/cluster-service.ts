// The service scraped by cluster.bench.ts: `node cluster-service.ts <variant> <workers> <series per worker>`
// prints its /metrics URL once every worker has recorded its series.
//   agentmeter: start() in the primary and in each worker; the primary serves the merge.
//   prom-client: AggregatorRegistry in the primary, a Counter in each worker.
// With 0 workers the primary records every series itself (one process).
import cluster from 'node:cluster';
import { once } from 'node:events';
import { createServer } from 'node:http';
import client from 'prom-client';
import { start } from '../src/index.ts';

const [variant = 'agentmeter', workersText = '4', seriesText = '10000'] = process.argv.slice(2);
const workers = Number(workersText);
const series = Number(seriesText);
const total = workers === 0 ? series : series * workers;

/** Distinct routes per worker, so the merge has as many series as the single process. */
function record(first: number, count: number): void {
  if (variant === 'agentmeter') {
    for (let i = first; i < first + count; i++)
      am!.instruments.requests.add(1 + (i % 3), { route: `/r/${i}`, status: 'success' });
  } else {
    const counter = new client.Counter({
      name: 'bench_requests_total',
      help: 'Requests.',
      labelNames: ['route', 'status'],
    });
    for (let i = first; i < first + count; i++) counter.inc({ route: `/r/${i}`, status: 'success' }, 1 + (i % 3));
  }
}

const am =
  variant === 'agentmeter'
    ? start({
        prometheus: { host: '127.0.0.1', port: 0 },
        http: false,
        hostMetrics: false,
        diagLogger: false,
        attributes: { requests: ['route'] },
        seriesLimit: total + 10,
      })
    : undefined;

// prom-client's workers answer the primary only once an AggregatorRegistry exists in them too.
const registry = variant === 'prom-client' ? new client.AggregatorRegistry() : undefined;

if (cluster.isPrimary) {
  let url: string;
  if (am !== undefined) {
    await am.ready;
    url = am.prometheusUrl!;
  } else {
    const server = createServer((_request, response) => {
      // prom-client gives up after 5 s when a worker is slow to answer.
      (workers === 0 ? client.register.metrics() : registry!.clusterMetrics()).then(
        (text) => response.end(text),
        (error: Error) => {
          response.statusCode = 500;
          response.end(error.message);
        },
      );
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/metrics`;
  }
  if (workers === 0) record(0, series);
  const forked = Array.from({ length: workers }, (_, index) => cluster.fork({ BENCH_FIRST: String(index * series) }));
  await Promise.all(forked.map((worker) => once(worker, 'message')));
  process.stdout.write(`${url}\n`);
  // agentmeter's /metrics server is unref'd; the bench ends this process itself.
  setInterval(() => undefined, 60_000);
  process.on('SIGTERM', () => {
    for (const worker of forked) worker.process.kill('SIGKILL');
    process.exit(0);
  });
} else {
  record(Number(process.env['BENCH_FIRST']), series);
  process.send?.('recorded');
  // A worker stays up, as a serving one would, so every scrape asks it.
  setInterval(() => undefined, 60_000);
}
