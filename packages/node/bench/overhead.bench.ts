import { loadavg } from 'node:os';
import { envNumber, fmt, ratio, table } from '../../../scripts/bench-kit.ts';
import {
  frameworksToRun,
  launch,
  load,
  median,
  PATHS,
  quantile,
  type Sample,
  type Service,
} from './service-process.ts';

/** Two bare processes side by side: the null check of comparing fresh processes (see measure). */
const BARE_AGAIN = 'bare, a second bare process (A/A check)';
/**
 * Per framework, the variants measured side by side (http: false is the same for every framework, so
 * is the A/A check, which node:http's rows calibrate: `http: false` runs nothing per request, and
 * what this bench reads for it is what two fresh processes differ by).
 */
const FRAMEWORKS: Record<string, string[]> = {
  'node:http': ['bare', 'start()', 'start(), http: false', BARE_AGAIN, 'start(), tracing (instrumentation-http)'],
  express: ['bare', 'start()', 'start(), tracing (instrumentation-http)'],
  fastify: ['bare', 'start()', 'start(), tracing (instrumentation-http)'],
};
/** Rounds per set of processes; every round pairs each variant with a bare sample taken next to it. */
const ROUNDS = envNumber('BENCH_ROUNDS', 5, { integer: true });
/** Fresh service processes per variant, one after the other (see measure). */
const PROCESSES = envNumber('BENCH_PROCESSES', 3, { integer: true });
const SECONDS = envNumber('BENCH_SECONDS', 3);
/**
 * Warm-up per service process before its first round, by framework. V8 was still optimizing Node's
 * HTTP path after 60,000 requests (about 3 s here) and settled by 150,000: a shorter warm-up measures
 * compilation, on the helper threads, that a long-running service pays once. Express needs longer:
 * its compiler threads spent 6-7 µs per request in the first 4 s of full load and about 1 µs in the
 * next 4, and with two services sharing the cores 8 s are about 100,000 Express requests (instructions
 * waits 300,000). In one pair of Express-only runs, start() read 1.04x bare after 8 s and 1.00x after 30.
 * `BENCH_WARMUP_SECONDS` sets one warm-up for every service.
 */
const WARMUP_SECONDS: Record<string, number> = { 'node:http': 8, express: 30, fastify: 8 };
/** Read once at start, like every other setting, so a bad value stops the bench before it runs. */
const WARMUP_OVERRIDE =
  process.env['BENCH_WARMUP_SECONDS'] === undefined ? undefined : envNumber('BENCH_WARMUP_SECONDS', 8);
const warmupOf = (framework: string): number => WARMUP_OVERRIDE ?? WARMUP_SECONDS[framework]!;
const CONNECTIONS = 16;

/** The 1-minute load average at the start of each round. */
const loads: number[] = [];

async function loadRound(service: Service, seconds: number): Promise<Sample> {
  loads.push(loadavg()[0]!);
  return load(service, seconds, CONNECTIONS);
}

/** A variant's sample and the bare sample taken over the same seconds. */
interface Pair {
  base: Sample;
  sample: Sample;
}

/**
 * Rounds of one framework's variants, in PROCESSES fresh sets of service processes: each process
 * compiles its own code, and which functions V8 inlines or leaves megamorphic differs from process
 * to process by a few percent of CPU, more than a round-to-round difference. Each variant has a
 * bare service of its own, and in each round the two are loaded at the same time, each by its own
 * autocannon, so both sides of a ratio see the same seconds of a shared machine (other tenants,
 * CPU steal) and the same rest between rounds (a service that rests while another is loaded has
 * colder caches and may run V8's memory reducer; one bare service paired with every variant would
 * rest less than they do). Loaded one after the other, seconds apart, the per-round ratios of one
 * variant spread about twice as wide here.
 */
async function measure(framework: string, variants: string[]): Promise<Map<string, Pair[]>> {
  const warmup = warmupOf(framework);
  const others = variants.filter((variant) => variant !== 'bare');
  const pairs = new Map<string, Pair[]>(others.map((variant) => [variant, []]));
  for (let set = 0; set < PROCESSES; set++) {
    const services = new Map<string, [bare: Service, variant: Service]>();
    try {
      for (const variant of others) {
        const bare = await launch(framework, 'bare', PATHS[framework]);
        const service = await launch(framework, variant, PATHS[framework]);
        services.set(variant, [bare, service]);
        // Warm-up (JIT and connection pools), the pair together as in the rounds.
        await Promise.all([load(bare, warmup, CONNECTIONS), load(service, warmup, CONNECTIONS)]);
      }
      // The order rotates each round, so no variant always runs first.
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < others.length; i++) {
          const variant = others[(i + round + set) % others.length]!;
          const [bare, service] = services.get(variant)!;
          const [base, sample] = await Promise.all([loadRound(bare, SECONDS), loadRound(service, SECONDS)]);
          pairs.get(variant)!.push({ base, sample });
        }
      }
    } finally {
      for (const pair of services.values()) for (const { child } of pair) child.kill('SIGTERM');
    }
  }
  return pairs;
}

/**
 * autocannon reports latency in whole milliseconds: a p99 under 1 ms reads 0, and a ratio to 0
 * would print NaNx or Infinityx. Those rows say why there is no ratio instead.
 */
function p99Ratio(p99: number, baseP99: number): string {
  if (!(baseP99 > 0) || !Number.isFinite(p99)) return 'n/a (bare p99 < 1 ms; autocannon records whole ms)';
  return ratio(p99, baseP99);
}

/**
 * Ratios to bare are medians of per-round ratios: each round's sample of a variant against the bare
 * sample taken over the same seconds, so load that drifts between rounds cancels out.
 */
function rows(pairs: Map<string, Pair[]>): string[][] {
  const bases = [...pairs.values()].flat().map((pair) => pair.base);
  const bareP99 = median(bases.map((s) => s.p99));
  const bareRps = fmt(median(bases.map((s) => s.rps)));
  const bareCpu = fmt(median(bases.map((s) => s.cpuMicros)), 1);
  const out = [['bare', bareRps, '-', bareP99 > 0 ? fmt(bareP99, 1) : '< 1', '-', bareCpu, '-', '-']];
  for (const [variant, measured] of pairs) {
    const samples = measured.map((pair) => pair.sample);
    const p99 = median(samples.map((s) => s.p99));
    const baseP99 = median(measured.map(({ base }) => base.p99));
    const cpuRatios = measured.map(({ base, sample }) => sample.cpuMicros / base.cpuMicros);
    const rpsRatios = measured.map(({ base, sample }) => sample.rps / base.rps);
    const spread = `${quantile(cpuRatios, 0.25).toFixed(2)}-${quantile(cpuRatios, 0.75).toFixed(2)}x`;
    out.push([
      variant,
      fmt(median(samples.map((s) => s.rps))),
      `${((1 - median(rpsRatios)) * 100).toFixed(1)}%`,
      p99 > 0 ? fmt(p99, 1) : '< 1',
      p99Ratio(p99, baseP99),
      fmt(median(samples.map((s) => s.cpuMicros)), 1),
      `${median(cpuRatios).toFixed(2)}x`,
      spread,
    ]);
  }
  return out;
}

/** Throughput, p99 latency and server CPU per request of node:http, Express 5 and Fastify services with and without start(). */
export async function run(): Promise<string> {
  const sections: string[] = [];
  for (const framework of frameworksToRun()) {
    const pairs = await measure(framework, FRAMEWORKS[framework]!);
    sections.push(
      `${framework} (\`${PATHS[framework]}\`):`,
      '',
      table(
        [
          'variant',
          'req/s',
          'throughput loss',
          'p99 ms',
          'p99 vs bare',
          'server CPU µs/request',
          'CPU vs bare',
          'CPU vs bare, middle half of rounds',
        ],
        rows(pairs),
      ),
      '',
    );
  }
  const load1 = loadavg()
    .map((value) => value.toFixed(1))
    .join(', ');
  return [
    '### @agentmeter/node: HTTP overhead of start()',
    '',
    `autocannon, ${CONNECTIONS} connections, loopback, against a service answering a small JSON body (node:http; Express 5 and ` +
      `Fastify with a route template); ${ROUNDS} ${SECONDS}-second rounds per variant after a warm-up of each pair of processes ` +
      `(${frameworksToRun()
        .map((framework) => `${framework} ${warmupOf(framework)} s`)
        .join(', ')}), in each of ` +
      `${PROCESSES} fresh sets of service processes (${ROUNDS * PROCESSES} rounds in all). In each round the variant and the bare service ` +
      `are loaded at the same time, each by its own autocannon (every variant has a bare service of its own, so both rest alike between rounds), so req/s is what each got while sharing the two cores with the other ` +
      `(about half of what a service alone gets). "CPU vs bare" and "throughput loss" are medians of per-round ratios (each round's ` +
      `sample against the bare sample of the same seconds); the last column is the spread of those ratios (25th to 75th ` +
      `percentile). Load average (1 minute) during the rounds: ${fmt(Math.min(...loads), 1)} to ${fmt(Math.max(...loads), 1)}; at the end: ${load1}.`,
    '',
    ...sections,
    'Throughput and p99 move with whatever else the machine runs; server CPU time per request (the service process, measured over',
    'IPC around each round) is the primary measure of overhead. `start()` observes HTTP through node:diagnostics_channel;',
    "tracing mode adds @opentelemetry/instrumentation-http's spans (the former metrics path). The A/A row pairs two bare",
    "processes: its ratio is what two fresh processes of the same code differ by here, the bench's own bias and noise. See docs/node.md.",
  ].join('\n');
}
