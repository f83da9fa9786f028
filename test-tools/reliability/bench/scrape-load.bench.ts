import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { fmt, table } from '../../../scripts/bench-kit.ts';
import { runChild } from '../src/child.ts';
import type { ScrapeClientsResult } from '../src/scrape-clients.ts';
import { SCRAPE_TOKEN, type AppReady, type PhaseFigures } from '../src/scrape-bench.ts';

/**
 * Issue 14's scrape-load targets. A service process holds 10,000 series and answers its own light
 * traffic (4 connections, as fast as they go) while, in another process, 200 concurrent scrapers
 * hammer /metrics for 20 s (text, OpenMetrics and gzip in turn, with the token), then /api/health
 * without a token. Targets: event-loop delay p99 <= 50 ms, app throughput >= 50% of its
 * no-scrape baseline, RSS growth <= 64 MB, no timeout or malformed body, every refusal a 503
 * with Retry-After. Everything shares the machine's cores.
 */
const SECONDS = Number(process.env['AGENTMETER_SCRAPE_BENCH_SECONDS'] ?? 20);
// Node flags for the service process only, e.g. `--max-semi-space-size=8` to see how much of the
// RSS growth is V8's young generation growing (see docs/reliability.md).
const SCRAPERS = 200;
const APP_CONNECTIONS = 4;

interface Phase {
  readonly name: string;
  readonly rps: number;
  readonly app: PhaseFigures;
  readonly scrapers: ScrapeClientsResult | undefined;
}

function request(child: ChildProcess, message: string): Promise<PhaseFigures> {
  const answer = once(child, 'message') as Promise<[PhaseFigures]>;
  child.send(message);
  return answer.then(([figures]) => figures);
}

/** One measured phase; `scrape` is [path, authorization?] for the scrapers, or none. */
async function phase(
  app: ChildProcess,
  ready: AppReady,
  name: string,
  scrape: readonly [string, string?] | undefined,
): Promise<Phase> {
  app.send('start');
  const scrapers =
    scrape === undefined
      ? Promise.resolve(undefined)
      : runChild<ScrapeClientsResult>(
          './scrape-clients.ts',
          [ready.metricsUrl, scrape[0], String(SCRAPERS), String(SECONDS), scrape[1] ?? ''],
          (SECONDS + 60) * 1000,
        );
  const traffic = await autocannon({ url: `${ready.appUrl}/work`, connections: APP_CONNECTIONS, duration: SECONDS });
  const figures = await request(app, 'stop');
  const scraped = await scrapers;
  if (scraped !== undefined && scraped.failures.length > 0)
    console.error(`scrape-load ${name}: ${scraped.failures.join('; ')}`);
  return { name, rps: traffic.requests.average, app: figures, scrapers: scraped };
}

function row(measured: Phase, baseline: Phase | undefined): string[] {
  const s = measured.scrapers;
  const rssGrowth = measured.app.rssPeakMb - measured.app.rssStartMb;
  return [
    measured.name,
    fmt(measured.app.delayP99Ms, 1),
    fmt(measured.app.delayMaxMs, 0),
    fmt(measured.rps),
    baseline === undefined ? '1.00' : (measured.rps / baseline.rps).toFixed(2),
    `${fmt(measured.app.rssStartMb)} → ${fmt(measured.app.rssPeakMb)} (+${fmt(rssGrowth)})`,
    `${fmt(measured.app.newSpaceEndMb)} / ${fmt(measured.app.externalPeakMb)}`,
    s === undefined ? '' : fmt(s.ok),
    s === undefined ? '' : `${fmt(s.refused)} (${s.refusedWithoutRetryAfter} without Retry-After)`,
    s === undefined
      ? ''
      : `${s.timeouts} / ${s.errors} / ${s.malformed} / ${s.otherStatus} (+${s.garbledAfterTimeout})`,
    s === undefined ? '' : fmt(s.parsed),
    s === undefined ? '' : `${fmt(s.ownLoopP99Ms)} / ${fmt(s.ownLoopMaxMs)}`,
  ];
}

export async function run(): Promise<string> {
  const cap = process.env['AGENTMETER_SCRAPE_BENCH_CAP'] ?? '';
  const app = fork(fileURLToPath(new URL('../src/scrape-app.ts', import.meta.url)), [cap], {
    execArgv: [
      '--conditions=@agentmeter/source',
      ...(process.env['AGENTMETER_SCRAPE_BENCH_NODE_FLAGS']?.split(' ').filter(Boolean) ?? []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const [ready] = (await once(app, 'message')) as [AppReady];
    const phases: Phase[] = [];
    phases.push(await phase(app, ready, 'no scrapers (baseline)', undefined));
    phases.push(await phase(app, ready, `${SCRAPERS} scrapers on /metrics`, ['/metrics', `Bearer ${SCRAPE_TOKEN}`]));
    phases.push(await phase(app, ready, `${SCRAPERS} on /api/health, no token`, ['/api/health']));
    const baseline = phases[0];
    return [
      '## Scrape load (issue 14)',
      '',
      `One service process with 10,000 series (9,000 counter and 1,000 histogram series) answers its own traffic (${APP_CONNECTIONS} connections, closed loop) while ${SCRAPERS} concurrent scrapers in another process hammer it for ${SECONDS} s. Targets: event-loop delay p99 <= 50 ms, throughput >= 0.50 of the baseline, RSS growth <= 64 MB, no timeouts or malformed bodies, refusals only as 503 with Retry-After. The scrapers time out after 10 s, Prometheus's default scrape_timeout; all 200 run in one process, whose own event-loop delay is shown: when it stalls for seconds, its timeouts are its own (see docs/reliability.md).`,
      '',
      table(
        [
          'phase',
          'loop delay p99 ms',
          'max ms',
          'app req/s',
          'of baseline',
          'RSS MB start → peak',
          'young generation at end / external peak MB',
          'scrapes 200',
          'refused 503',
          'timeouts / errors / malformed / other (+ garbled after a timeout)',
          'bodies parsed',
          "scrapers' own loop p99 / max ms",
        ],
        phases.map((entry) => row(entry, entry === baseline ? undefined : baseline)),
      ),
    ].join('\n');
  } finally {
    app.send('exit');
    await once(app, 'exit');
  }
}
