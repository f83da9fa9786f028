import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { envNumber, fmt, table } from '../../../scripts/bench-kit.ts';
import { frameworksToRun, launch, load, PATHS, toggle, type Service } from './service-process.ts';

/**
 * Where start() spends CPU in a request, by sampling: one process of each service under load,
 * start() switched off and on between rounds, `perf record` (cpu-clock, kernel and user, V8's JIT
 * code named through --perf-basic-prof) over each round. Samples per request, by function, show
 * the cost that start() adds directly, which a load test's CPU ratio cannot resolve on a shared
 * machine (it moves by 10-20% within seconds). Needs Linux `perf`; without it the section says so.
 */
const ROUNDS = envNumber('BENCH_COST_ROUNDS', 6, { integer: true });
const SECONDS = envNumber('BENCH_COST_SECONDS', 4);
const HZ = 4000;
/** `BENCH_COST_FUNCTIONS=20` adds, per service, the 20 functions whose CPU per request moved most between off and on. */
const FUNCTIONS = envNumber('BENCH_COST_FUNCTIONS', 0, { integer: true, zero: true });
const CONNECTIONS = 16;
/** agentmeter's own code, from source (this repository) or from an installed build. */
const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
const run$ = promisify(execFile);

type Side = 'on' | 'off';
interface Round {
  side: Side;
  file: string;
  requests: number;
}

/** Records `service` with perf while it answers SECONDS of load; returns the requests answered. */
async function recorded(service: Service, file: string): Promise<number> {
  const perf = spawn(
    'perf',
    ['record', '-q', '-e', 'cpu-clock', '-F', String(HZ), '-p', String(service.child.pid), '-o', file],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<number | null>((resolve) => perf.once('exit', resolve));
  // perf attaches within a few ms; samples before the load starts are idle time, which cpu-clock does not sample.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const { requests } = await load(service, SECONDS, CONNECTIONS);
  perf.kill('SIGINT');
  const code = await exited;
  if (code !== 0 && code !== null) throw new Error(`perf record exited with ${code}`);
  return requests;
}

async function rounds(framework: string, path: string, dir: string): Promise<Round[]> {
  const service = await launch(framework, 'start()', path, { toggled: true, nodeArgs: ['--perf-basic-prof'] });
  try {
    for (let part = 0; part < 4; part++) {
      await toggle(service.child, part % 2 === 0);
      await load(service, 2, CONNECTIONS);
    }
    const done: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const side: Side = round % 2 === 0 ? 'off' : 'on';
      await toggle(service.child, side === 'on');
      await load(service, 1, CONNECTIONS);
      const file = join(dir, `${framework.replace(':', '-')}-${round}.data`);
      done.push({ side, file, requests: await recorded(service, file) });
    }
    return done;
  } finally {
    service.child.kill('SIGTERM');
    // perf report reads the JIT's symbol map (/tmp/perf-<pid>.map) later: remember it, to remove once read.
    maps.push(`/tmp/perf-${service.child.pid}.map`);
  }
}
const maps: string[] = [];

/** Samples by symbol in one perf.data file. */
async function symbols(file: string): Promise<Map<string, number>> {
  const { stdout } = await run$(
    'perf',
    ['report', '-i', file, '--no-children', '-g', 'none', '-n', '--sort', 'sym', '--stdio'],
    { maxBuffer: 64 * 2 ** 20 },
  );
  const counts = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const match = /^\s*[\d.]+%\s+(\d+)\s+\[.\]\s+(.*)$/.exec(line);
    if (match) counts.set(match[2]!.trim(), (counts.get(match[2]!.trim()) ?? 0) + Number(match[1]));
  }
  return counts;
}

type Category = 'agentmeter' | 'publish' | 'clock' | 'rest';
function category(symbol: string): Category {
  if (symbol.includes(PACKAGES) || symbol.includes('@agentmeter/')) return 'agentmeter';
  if (symbol.includes('node:diagnostics_channel')) return 'publish';
  if (/clock_gettime|PerformanceNow|uv_hrtime/.test(symbol)) return 'clock';
  return 'rest';
}

/** Nanoseconds of CPU per request by symbol, for one side. */
async function bySymbol(done: Round[], side: Side): Promise<Map<string, number>> {
  const samples = new Map<string, number>();
  let requests = 0;
  for (const round of done.filter((r) => r.side === side)) {
    requests += round.requests;
    for (const [symbol, count] of await symbols(round.file)) samples.set(symbol, (samples.get(symbol) ?? 0) + count);
  }
  const ns = 1e9 / HZ / requests;
  return new Map([...samples].map(([symbol, count]) => [symbol, count * ns]));
}

/** Nanoseconds of CPU per request in each category, for one side. */
function perRequest(symbolNs: Map<string, number>): Record<Category | 'total', number> {
  const totals = { agentmeter: 0, publish: 0, clock: 0, rest: 0, total: 0 };
  for (const [symbol, ns] of symbolNs) {
    totals[category(symbol)] += ns;
    totals.total += ns;
  }
  return totals;
}

/** The `count` symbols whose CPU per request moved most between off and on, as table rows. */
function movedMost(framework: string, on: Map<string, number>, off: Map<string, number>, count: number): string[][] {
  const moved = [...new Set([...on.keys(), ...off.keys()])].map((symbol): [string, number, number] => [
    symbol,
    off.get(symbol) ?? 0,
    on.get(symbol) ?? 0,
  ]);
  moved.sort((a, b) => Math.abs(b[2] - b[1]) - Math.abs(a[2] - a[1]));
  return moved
    .slice(0, count)
    .map(([symbol, before, after]) => [
      framework,
      `\`${symbol.replace(PACKAGES, '').replaceAll('|', '\\|').slice(0, 120)}\``,
      before.toFixed(1),
      after.toFixed(1),
      (after - before).toFixed(1),
    ]);
}

async function perfWorks(): Promise<string | undefined> {
  try {
    await run$('perf', ['record', '-q', '-e', 'cpu-clock', '-o', '/dev/null', '--', 'true']);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
}

/** start()'s CPU per request by where it goes, from perf samples of the same process with start() off and on. */
export async function run(): Promise<string> {
  const title = '### @agentmeter/node: where start() spends CPU in a request (perf samples)';
  const missing = await perfWorks();
  if (missing !== undefined) return `${title}\n\nSkipped: Linux perf could not record here (${missing}).`;
  const frameworks = frameworksToRun();
  const dir = mkdtempSync(join(tmpdir(), 'agentmeter-cost-'));
  const rows: string[][] = [];
  const functionRows: string[][] = [];
  try {
    for (const framework of frameworks) {
      const path = PATHS[framework]!;
      const done = await rounds(framework, path, dir);
      const [onSymbols, offSymbols] = [await bySymbol(done, 'on'), await bySymbol(done, 'off')];
      const [on, off] = [perRequest(onSymbols), perRequest(offSymbols)];
      if (FUNCTIONS > 0) functionRows.push(...movedMost(framework, onSymbols, offSymbols, FUNCTIONS));
      const share = (ns: number): string => `${fmt(ns)} (${((ns / off.total) * 100).toFixed(1)}%)`;
      // All of agentmeter's samples count, the route wrappers' included (Express's and Fastify's stay installed and
      // run with start() off too): against a service without agentmeter, they are its cost as well.
      const direct = on.agentmeter + on.publish - off.publish + (on.clock - off.clock);
      rows.push([
        `${framework} (\`${path}\`)`,
        fmt(off.total),
        fmt(on.total),
        share(on.agentmeter + on.publish - off.publish),
        share(on.clock - off.clock),
        share(direct),
        share(on.rest - off.rest),
        `${(on.total / off.total).toFixed(3)}x`,
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const map of maps.splice(0)) rmSync(map, { force: true });
  }
  return [
    title,
    '',
    `One process per service runs start() and shuts it down or starts it again between rounds; ${ROUNDS} rounds of ` +
      `${SECONDS} s (off and on alternating, each after 1 s of unmeasured load), autocannon with ${CONNECTIONS} connections, ` +
      `\`perf record -e cpu-clock -F ${HZ}\` on the service process over each round (kernel and user; V8's compiled code named ` +
      'through --perf-basic-prof). Nanoseconds of CPU per request, from samples per request; percentages are of the off ' +
      'total. "Observer" is agentmeter\'s functions plus Node\'s diagnostics_channel publish (into which V8 may inline ' +
      'them); "clock" is the extra time in the clock (vDSO clock_gettime, performance.now); together they are the direct ' +
      'cost. "Everything else" is the difference in all other code, the kernel\'s included: the machine\'s drift between ' +
      'rounds and any indirect cost (code V8 compiled differently).',
    '',
    table(
      [
        'service',
        'ns/request off',
        'ns/request on',
        'observer',
        'clock',
        'direct cost',
        'everything else',
        'on vs off',
      ],
      rows,
    ),
    ...(functionRows.length === 0
      ? []
      : [
          '',
          `The ${FUNCTIONS} functions per service whose CPU per request moved most (ns per request; kernel and user).`,
          '',
          table(['service', 'function', 'off', 'on', 'on - off'], functionRows),
        ]),
  ].join('\n');
}
