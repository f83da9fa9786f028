import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { envNumber, fmt, table } from '../../../scripts/bench-kit.ts';
import { frameworksToRun, launch, median, type Service } from './service-process.ts';

/**
 * start()'s cost per request in instructions, which machine load does not move: each variant's service
 * runs under callgrind (valgrind) with instrumentation off through a warm-up, then on for a fixed
 * number of requests. Instructions per request on the main thread (JavaScript, V8's compiled code,
 * libuv and the system calls' user side; the kernel's TCP work is not counted) and on all threads
 * (V8's compiler and GC helpers too). Fresh processes per variant, since what V8 inlines differs a
 * little from one process to the next. Needs valgrind; without it the section says so.
 *
 * The warm-up is 150,000 requests (Express: see CASES): with --trace-opt, V8 was still optimizing parserOnIncoming and
 * resOnFinish between the 60,000th and 80,000th request of a node:http service, and nothing but a
 * stray deopt after 150,000, except where a load generator's new connections deoptimized a function
 * or two that TurboFan then compiled again (tens of millions of instructions on the helper threads,
 * and the main thread running the function unoptimized meanwhile): hence one set of connections
 * for the whole process. Work done on a timer (the event-loop delay sampler) is overcounted: under
 * valgrind a request takes 20-30 times as long (about 1,000 measured requests a second against
 * 26,000 without it), and carries that many times its share of each timer's work.
 *
 * Each service's warm-up in requests. Express's is longer: after 150,000 requests its helper threads
 * still compiled inside the window (all threads 8% over the main thread, bare or not) and its
 * processes spread by 4% (127,000 to 133,000 instructions per request); after 300,000 the helper
 * threads add under 0.5% and three processes of one variant agree within about 1.5%.
 */
const CASES: [framework: string, path: string, warmup: number][] = [
  ['node:http', '/', 150_000],
  ['express', '/items/42', 300_000],
  ['fastify', '/items/42', 150_000],
];
const ALL_VARIANTS = ['bare', 'start()', 'start(), http: false'];
/** `BENCH_INSTRUCTIONS_VARIANTS='bare|start()'` picks variants (bare is always measured: the ratios need it). */
const PICKED = process.env['BENCH_INSTRUCTIONS_VARIANTS']?.split('|');
const VARIANTS = ALL_VARIANTS.filter(
  (variant) => variant === 'bare' || PICKED === undefined || PICKED.includes(variant),
);
const PROCESSES = envNumber('BENCH_INSTRUCTIONS_PROCESSES', 3, { integer: true });
/** Overrides every service's warm-up. */
const WARMUP =
  process.env['BENCH_INSTRUCTIONS_WARMUP'] === undefined
    ? undefined
    : envNumber('BENCH_INSTRUCTIONS_WARMUP', 0, { integer: true, zero: true });
const warmupOf = (framework: string): number => WARMUP ?? CASES.find(([name]) => name === framework)![2];
const MEASURED = envNumber('BENCH_INSTRUCTIONS_REQUESTS', 20_000, { integer: true });
/** Services measured at once: instruction counts do not depend on the machine's load, so both cores are used. */
const CONCURRENCY = 2;
const CONNECTIONS = 16;
const run$ = promisify(execFile);

interface Count {
  /** Instructions per request on the main thread. */
  main: number;
  /** Instructions per request on all threads. */
  all: number;
}

/**
 * The load: CONNECTIONS requests kept in flight over one keep-alive agent. The same connections carry
 * the warm-up and the measured requests: new connections at the start of the window would
 * deoptimize the functions that handle them (in bare services too) and put their recompilation in it.
 */
class Load {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  readonly #sockets = new Set<Socket>();
  readonly #service: Service;

  constructor(service: Service) {
    this.#service = service;
  }

  async run(amount: number): Promise<void> {
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < amount) {
        sent++;
        await this.#one();
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  }

  /** Connections opened so far; more than CONNECTIONS means one was closed and replaced. */
  get connections(): number {
    return this.#sockets.size;
  }

  close(): void {
    this.#agent.destroy();
  }

  #one(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { port, path } = this.#service;
      get({ host: '127.0.0.1', port, path, agent: this.#agent }, (response) => {
        if (response.statusCode !== 200) reject(new Error(`${path} answered ${response.statusCode}`));
        response.resume().once('end', resolve).once('error', reject);
      })
        .once('socket', (socket: Socket) => this.#sockets.add(socket))
        .once('error', reject);
    });
  }
}

/** One fresh process of `variant` under callgrind: instructions per request after the warm-up. */
async function measure(framework: string, path: string, variant: string, dir: string): Promise<Count> {
  const prefix = join(dir, `${framework.replace(':', '-')}-${variant.replace(/\W+/g, '-')}-${Date.now()}`);
  const service = await launch(framework, variant, path, {
    wrapper: [
      'valgrind',
      '--tool=callgrind',
      '-q',
      '--instr-atstart=no',
      '--separate-threads=yes',
      `--callgrind-out-file=${prefix}.%p`,
    ],
  });
  const pid = String(service.child.pid);
  const exited = new Promise((resolve) => service.child.once('exit', resolve));
  const load = new Load(service);
  try {
    await load.run(warmupOf(framework));
    await run$('callgrind_control', ['--instr=on', pid]);
    await load.run(MEASURED);
    await run$('callgrind_control', ['--instr=off', pid]);
    if (load.connections !== CONNECTIONS)
      throw new Error(`${framework} ${variant}: ${load.connections} connections opened, not ${CONNECTIONS}`);
  } finally {
    load.close();
    service.child.kill('SIGTERM');
    await exited;
  }
  // One file per thread: <prefix>.<pid>-01 is the main thread.
  const files = readdirSync(dir).filter((file) => file.startsWith(`${prefix.slice(dir.length + 1)}.${pid}-`));
  let main = 0;
  let all = 0;
  for (const file of files) {
    const totals = /^totals: (\d+)$/m.exec(readFileSync(join(dir, file), 'utf8'));
    if (totals === null) throw new Error(`no totals in callgrind output ${file}`);
    all += Number(totals[1]);
    if (file.endsWith('-01')) main = Number(totals[1]);
  }
  if (main === 0) throw new Error(`no main-thread instructions in callgrind output for ${framework} ${variant}`);
  return { main: main / MEASURED, all: all / MEASURED };
}

async function valgrindWorks(): Promise<string | undefined> {
  try {
    await run$('valgrind', ['--version']);
    await run$('callgrind_control', ['--version']);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
}

/** Runs tasks, `limit` at a time, and returns their results in order. */
async function pooled<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Instructions per request for each service and variant, and each variant against its bare service. */
export async function run(): Promise<string> {
  const title = '### @agentmeter/node: instructions per request (callgrind)';
  const missing = await valgrindWorks();
  if (missing !== undefined) return `${title}\n\nSkipped: valgrind could not run here (${missing}).`;
  const frameworks = frameworksToRun();
  const cases = CASES.filter(([framework]) => frameworks.includes(framework));
  const dir = mkdtempSync(join(tmpdir(), 'agentmeter-instructions-'));
  const rows: string[][] = [];
  try {
    // Variants interleaved, so a slow stretch of the machine (which moves only the run's length) is shared.
    const jobs = cases.flatMap(([framework, path]) =>
      Array.from({ length: PROCESSES }, () => VARIANTS.map((variant) => ({ framework, path, variant }))).flat(),
    );
    const counts = await pooled(
      jobs.map((job) => () => measure(job.framework, job.path, job.variant, dir)),
      CONCURRENCY,
    );
    for (const [framework, path] of cases) {
      const of = (variant: string): Count[] =>
        counts.filter((_, index) => jobs[index]!.framework === framework && jobs[index]!.variant === variant);
      const bare = of('bare');
      const [bareMain, bareAll] = [median(bare.map((c) => c.main)), median(bare.map((c) => c.all))];
      for (const variant of VARIANTS) {
        const mine = of(variant);
        const [main, all] = [median(mine.map((c) => c.main)), median(mine.map((c) => c.all))];
        rows.push([
          `${framework} (\`${path}\`)`,
          variant,
          mine.map((c) => fmt(c.main)).join(', '),
          fmt(main),
          `${(main / bareMain).toFixed(3)}x`,
          fmt(all),
          `${(all / bareAll).toFixed(3)}x`,
        ]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    title,
    '',
    `Each variant in ${PROCESSES} fresh processes per service, under \`valgrind --tool=callgrind\` with instrumentation ` +
      `off through a warm-up (${cases.map(([framework]) => `${framework} ${fmt(warmupOf(framework))}`).join(', ')} requests), then on for ${fmt(MEASURED)} requests; ${CONNECTIONS} requests in ` +
      "flight throughout, on the same keep-alive connections. Instructions are counted in the service process only, in user space: JavaScript, V8's compiled " +
      "code and runtime, libuv, not the kernel's loopback TCP work. Machine load does not move them; what differs " +
      'between two processes of one variant is what V8 happened to compile. "Main thread" is where requests run; ' +
      '"all threads" adds V8\'s compiler and GC helper threads. Ratios are of medians against the same service bare.',
    '',
    table(
      [
        'service',
        'variant',
        'main thread, each process',
        'main thread (median)',
        'vs bare',
        'all threads (median)',
        'vs bare',
      ],
      rows,
    ),
  ].join('\n');
}
