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

async function usPerCall(fn: () => Promise<unknown>, calls: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await fn();
  return Number(process.hrtime.bigint() - start) / calls / 1000;
}

/** Wall µs per awaited call of each function, rounds alternating so drift hits both alike. */
export async function compareAsync(plain: () => Promise<unknown>, wrapped: () => Promise<unknown>, calls: number, rounds: number): Promise<AsyncComparison> {
  await usPerCall(plain, calls);
  await usPerCall(wrapped, calls);
  const plains: number[] = [];
  const wrappeds: number[] = [];
  const deltas: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0;
    const a = await usPerCall(first ? plain : wrapped, calls);
    const b = await usPerCall(first ? wrapped : plain, calls);
    const [p, w] = first ? [a, b] : [b, a];
    plains.push(p);
    wrappeds.push(w);
    deltas.push(w - p);
  }
  const d = deltas.toSorted((x, y) => x - y);
  return { plain: median(plains), wrapped: median(wrappeds), delta: median(deltas), low: d[0]!, high: d.at(-1)! };
}
