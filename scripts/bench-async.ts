/** Async comparisons for the framework integrations' bench modules: plain and instrumented, alternating. */

export interface AsyncComparison {
  /** Median µs per awaited call, plain and instrumented. */
  readonly plain: number;
  readonly wrapped: number;
  /** Median over rounds of (wrapped - plain) µs, and the lowest and highest round. */
  readonly delta: number;
  readonly low: number;
  readonly high: number;
}

const median = (values: readonly number[]): number => values.toSorted((x, y) => x - y)[Math.floor(values.length / 2)]!;

/** What a comparison measures: wall time, or the CPU time of this process (steadier on a loaded machine). */
export type BenchClock = 'wall' | 'cpu';

async function usPerCall(fn: () => Promise<unknown>, calls: number, clock: BenchClock): Promise<number> {
  if (clock === 'cpu') {
    const start = process.cpuUsage();
    for (let i = 0; i < calls; i++) await fn();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / calls;
  }
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await fn();
  return Number(process.hrtime.bigint() - start) / calls / 1000;
}

/** µs per awaited call of each function (wall time unless `clock` is `cpu`), rounds alternating so drift hits both alike. */
export async function compareAsync(
  plain: () => Promise<unknown>,
  wrapped: () => Promise<unknown>,
  calls: number,
  rounds: number,
  clock: BenchClock = 'wall',
): Promise<AsyncComparison> {
  const usPer = (fn: () => Promise<unknown>): Promise<number> => usPerCall(fn, calls, clock);
  await usPer(plain);
  await usPer(wrapped);
  const plains: number[] = [];
  const wrappeds: number[] = [];
  const deltas: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0;
    const a = await usPer(first ? plain : wrapped);
    const b = await usPer(first ? wrapped : plain);
    const [p, w] = first ? [a, b] : [b, a];
    plains.push(p);
    wrappeds.push(w);
    deltas.push(w - p);
  }
  const d = deltas.toSorted((x, y) => x - y);
  return { plain: median(plains), wrapped: median(wrappeds), delta: median(deltas), low: d[0]!, high: d.at(-1)! };
}
