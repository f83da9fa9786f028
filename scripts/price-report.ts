import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { PricingTable } from '../packages/core/src/index.ts';
import { SOURCE_PROVIDER_IDS } from '../packages/core/src/pricing/source/providers.ts';

/** Where the demo and the tests name models: the demo's sources, and every package's tests and benchmarks. */
const SCANNED = [
  'examples/*/src',
  'packages/*/test',
  'packages/*/bench',
  'test-tools/*/test',
  'test-tools/*/bench',
  'collector/test',
  'test',
];
/** `model: 'id'` in a call or a fixture, with the provider when the same line names one. */
const MODEL = /\bmodel:\s*['"]([\w.:/@-]{1,100})['"]/g;
const PROVIDER = /\bprovider:\s*['"]([\w.-]{1,64})['"]/;

export interface ModelUse {
  readonly model: string;
  /** The provider named on the same line, if any. */
  readonly provider: string | undefined;
  /** file:line of each place it is named. */
  readonly where: readonly string[];
}

export interface PriceReport {
  readonly source:
    | { readonly name: string; readonly version: string; readonly published: string; readonly ageDays: number }
    | undefined;
  /** The oldest `effective` date among the speech rows. */
  readonly oldestRow: string | undefined;
  /** Models named by the demo that no provider prices. */
  readonly demoUnpriced: readonly ModelUse[];
  /** Models named by tests and benchmarks that no provider prices (test fixtures often are on purpose). */
  readonly testUnpriced: readonly ModelUse[];
}

function files(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function expand(root: string, pattern: string): string[] {
  const [head, star, ...rest] = pattern.split('/');
  if (star !== '*') return [join(root, pattern)];
  let dirs: string[];
  try {
    dirs = readdirSync(join(root, head!));
  } catch {
    return [];
  }
  return dirs.map((dir) => join(root, head!, dir, ...rest));
}

/** Every model named in the scanned folders, with the provider on its line and where it appears. */
export function modelUses(root: string, folders: readonly string[]): ModelUse[] {
  const uses = new Map<string, { model: string; provider: string | undefined; where: string[] }>();
  for (const file of folders.flatMap((folder) => expand(root, folder)).flatMap(files)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        const provider = PROVIDER.exec(line)?.[1];
        for (const [, model] of line.matchAll(MODEL)) {
          const key = `${provider ?? ''}\u0000${model}`;
          const use = uses.get(key) ?? { model: model!, provider, where: [] };
          use.where.push(`${relative(root, file)}:${index + 1}`);
          uses.set(key, use);
        }
      });
  }
  return [...uses.values()];
}

/** Whether a model has a price: under the provider named with it, else under any provider the table knows. */
function priced(table: PricingTable, use: ModelUse): boolean {
  const providers =
    use.provider !== undefined
      ? [use.provider]
      : [...new Set([...Object.keys(SOURCE_PROVIDER_IDS), ...table.entries.map((entry) => entry.provider)])];
  return providers.some((provider) => table.lookup(provider, use.model) !== undefined);
}

/** The age of the LLM price data and the models the demo and the tests use that have no price. */
export function priceReport(table: PricingTable, root: string, now: number = Date.now()): PriceReport {
  const { source } = table;
  const unpriced = (folders: readonly string[]): ModelUse[] =>
    modelUses(root, folders).filter((use) => !priced(table, use));
  const effective = table.entries.map((entry) => entry.effective).toSorted();
  return {
    source:
      source === undefined
        ? undefined
        : { ...source, ageDays: Math.floor((now - Date.parse(`${source.published}T00:00:00Z`)) / 86_400_000) },
    oldestRow: effective[0],
    demoUnpriced: unpriced(SCANNED.slice(0, 1)),
    testUnpriced: unpriced(SCANNED.slice(1)),
  };
}
