/** Small timing helpers shared by the bench modules (packages/*\/bench/*.bench.ts). */

/**
 * A bench setting from the environment (`BENCH_ROUNDS=10 pnpm bench overhead`), or `fallback` when
 * unset. Anything but a positive finite number (a whole one where `integer`, zero only where `zero`) stops the bench before it
 * starts, naming the variable, rather than ending a long run in a NaN median.
 */
export function envNumber(
  name: string,
  fallback: number,
  { integer = false, zero = false }: { integer?: boolean; zero?: boolean } = {},
): number {
  const given = process.env[name];
  if (given === undefined || given === '') return fallback;
  const value = Number(given);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zero) || (integer && !Number.isInteger(value))) {
    const kind = `${zero ? 'non-negative' : 'positive'} ${integer ? 'whole number' : 'number'}`;
    throw new Error(`${name} must be a ${kind} (got ${JSON.stringify(given)})`);
  }
  return value;
}

/**
 * Command-line flags from the environment (`BENCH_NODE_ARGS='--no-concurrent-recompilation'`),
 * split on whitespace; none when unset. A word that is not a `--flag` stops the bench, naming the
 * variable (a script path or a stray value there would change what runs, not how).
 */
export function envFlags(name: string): string[] {
  const words = process.env[name]?.split(/\s+/).filter((word) => word !== '') ?? [];
  const bad = words.find((word) => !/^--[a-z][\w-]*(=[\w.,:/+-]+)?$/i.test(word));
  if (bad !== undefined) throw new Error(`${name} takes --flags separated by spaces (got ${JSON.stringify(bad)})`);
  return words;
}

/** Median nanoseconds per call of fn over `rounds` rounds of `iterations` calls, after a warm-up round. */
export function nsPerOp(fn: (i: number) => void, iterations = 200_000, rounds = 7): number {
  for (let i = 0; i < iterations; i++) fn(i);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn(i);
    samples.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** Heap growth in bytes while building what `build` returns (kept alive until measured). */
export function heapDelta(build: () => unknown): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const kept = build();
  gc?.();
  const after = process.memoryUsage().heapUsed;
  if (kept === Symbol.for('never')) console.log(kept);
  return after - before;
}

export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function ratio(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(2)}x`;
}

function line(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** A markdown table from a header row and rows. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
