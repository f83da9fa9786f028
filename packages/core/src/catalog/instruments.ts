import { BUCKETS } from './buckets.ts';
import { REQUEST_AND_AI_INSTRUMENTS } from './request-ai-instruments.ts';
import { SERVICE_INSTRUMENTS } from './service-instruments.ts';
import type { DeclaredInstrument, Family, InstrumentSpec } from './types.ts';

type Declared = typeof REQUEST_AND_AI_INSTRUMENTS & typeof SERVICE_INSTRUMENTS;

/** The handle names of the catalog's instruments, as on `meter.instruments`: the declared tables' keys. */
export type CatalogKey = keyof Declared;

/** The instrument kind a catalog key is declared with (`'histogram'` for `llmLatency`). */
export type KindOf<K extends CatalogKey> = Declared[K]['kind'];

/**
 * Checks the declared entries (by its parameter type) and resolves named buckets to their
 * boundaries. A key declared in both tables fails the module's load rather than shadowing one.
 */
function resolve(
  ...tables: readonly Readonly<Record<string, DeclaredInstrument>>[]
): Readonly<Record<CatalogKey, InstrumentSpec>> {
  const catalog: Record<string, InstrumentSpec> = {};
  for (const table of tables) {
    for (const [key, entry] of Object.entries(table)) {
      if (key in catalog) throw new Error(`catalog key ${key} is declared twice`);
      catalog[key] = (
        entry.buckets === undefined ? { ...entry } : { ...entry, buckets: BUCKETS[entry.buckets] }
      ) as InstrumentSpec;
    }
  }
  return catalog as Record<CatalogKey, InstrumentSpec>;
}

/**
 * Every instrument agentmeter records, declared once (request-ai-instruments.ts and
 * service-instruments.ts). The meter creates them from this table, docs/metrics.md is generated
 * from it, and the dashboards and alert rules are checked against it.
 */
export const CATALOG: Readonly<Record<CatalogKey, InstrumentSpec>> = resolve(
  REQUEST_AND_AI_INSTRUMENTS,
  SERVICE_INSTRUMENTS,
);

/** The catalog's keys in declaration order. */
export const CATALOG_KEYS: readonly CatalogKey[] = Object.keys(CATALOG) as CatalogKey[];

/** The catalog's families, in the order their first instrument is declared. */
export const FAMILIES: readonly Family[] = [...new Set(CATALOG_KEYS.map((key) => CATALOG[key].family))];
