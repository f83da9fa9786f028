import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { envNumber, fmt, ratio, table } from '../../../scripts/bench-kit.ts';

const SERVICE = fileURLToPath(new URL('./cluster-service.ts', import.meta.url));
const WORKERS = 4;
const SERIES = envNumber('BENCH_CLUSTER_SERIES', 10_000, { integer: true });
const SCRAPES = envNumber('BENCH_CLUSTER_SCRAPES', 15, { integer: true });

interface Setup {
  readonly name: string;
  readonly variant: 'agentmeter' | 'prom-client';
  readonly workers: number;
  readonly series: number;
}

const SETUPS: Setup[] = [
  {
    name: `agentmeter, one process, ${fmt(SERIES * WORKERS)} series`,
    variant: 'agentmeter',
    workers: 0,
    series: SERIES * WORKERS,
  },
  {
    name: `agentmeter, ${WORKERS} workers x ${fmt(SERIES)} series, merged by the primary`,
    variant: 'agentmeter',
    workers: WORKERS,
    series: SERIES,
  },
  {
    name: `prom-client, one process, ${fmt(SERIES * WORKERS)} series`,
    variant: 'prom-client',
    workers: 0,
    series: SERIES * WORKERS,
  },
  {
    name: `prom-client AggregatorRegistry, ${WORKERS} workers x ${fmt(SERIES)} series`,
    variant: 'prom-client',
    workers: WORKERS,
    series: SERIES,
  },
];

async function launch(setup: Setup): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@agentmeter/source', SERVICE, setup.variant, String(setup.workers), String(setup.series)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(String(chunk).trim()));
    child.once('exit', (code) => reject(new Error(`${setup.name} exited with ${code}`)));
  });
  return { child, url };
}

/** More than the exporter's sharing window (1 s by default): each scrape then collects afresh, as Prometheus' do. */
const SPACING_MS = 1100;

async function scrapeMillis(url: string): Promise<{ millis: number; bytes: number; failed: boolean }> {
  await new Promise((resolve) => setTimeout(resolve, SPACING_MS));
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  return { millis: performance.now() - started, bytes: body.byteLength, failed: response.status !== 200 };
}

const median = (values: number[]): number => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Scrape time of one merged /metrics over 4 cluster workers against one process holding all the series. */
export async function run(): Promise<string> {
  const rows: { name: string; millis: number; bytes: number; failed: number }[] = [];
  for (const setup of SETUPS) {
    const { child, url } = await launch(setup);
    try {
      for (let i = 0; i < 3; i++) await scrapeMillis(url); // warm-up: JIT, label caches
      const samples: number[] = [];
      let bytes = 0;
      let failed = 0;
      for (let i = 0; i < SCRAPES; i++) {
        const scraped = await scrapeMillis(url);
        if (scraped.failed) failed++;
        else {
          samples.push(scraped.millis);
          bytes = scraped.bytes;
        }
      }
      rows.push({ name: setup.name, millis: samples.length > 0 ? median(samples) : Number.NaN, bytes, failed });
    } finally {
      child.kill('SIGTERM');
    }
  }
  const single = rows[0]!.millis;
  const promSingle = rows[2]!.millis;
  return [
    '## @agentmeter/node: one /metrics over a cluster',
    '',
    `Median time of one scrape (HTTP round trip, whole body) of ${fmt(SERIES * WORKERS)} counter series: held by one process, or`,
    `spread over ${WORKERS} node:cluster workers (${fmt(SERIES)} each) and merged by the primary at scrape time. ${SCRAPES} scrapes after 3 warm-up ones,`,
    `each ${fmt(SPACING_MS)} ms after the one before (past the exporter's sharing window, so every scrape collects and renders afresh).`,
    '',
    table(
      [
        'setup',
        'scrape (ms)',
        'body (KiB)',
        'vs agentmeter one process',
        'vs prom-client one process',
        'failed scrapes',
      ],
      rows.map((row) => [
        row.name,
        fmt(row.millis, 1),
        fmt(row.bytes / 1024),
        ratio(row.millis, single),
        ratio(row.millis, promSingle),
        `${row.failed} of ${SCRAPES}`,
      ]),
    ),
    '',
  ].join('\n');
}
