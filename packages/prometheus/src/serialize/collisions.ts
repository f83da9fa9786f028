import type { FamilyType, MetricFamily } from './families.ts';

const VALID_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** What agentmeter writes itself: a family of these names would write a second target_info. */
const RESERVED = new Set(['target', 'target_info']);

/**
 * Every name a family puts into the exposition, in text 0.0.4 and OpenMetrics 1.0: its family
 * names and its sample names (a counter `x_total` is the OpenMetrics family `x`, with `x_created`;
 * a histogram `h` writes `h_bucket`, `h_sum`, `h_count`, and `h_created` in OpenMetrics).
 */
function claimedNames(name: string, type: FamilyType): string[] {
  if (type === 'counter') {
    const base = name.endsWith('_total') ? name.slice(0, -6) : name;
    return [name, base, `${base}_created`];
  }
  if (type === 'histogram') return [name, `${name}_bucket`, `${name}_sum`, `${name}_count`, `${name}_created`];
  return [name];
}

/** Why a family name cannot be written, or undefined when it can. */
function invalid(name: string): string | undefined {
  if (name === '' || name === '_total' || name === 'total') return 'it has no letter or digit';
  if (!VALID_NAME.test(name)) return 'it is not a valid metric name';
  if (name.startsWith('__')) return 'names starting with __ are reserved by Prometheus';
  if (RESERVED.has(name) || RESERVED.has(name.replace(/_total$/, '')))
    return 'target_info is written from the resource';
  return undefined;
}

/**
 * Keeps the families that can be written side by side: a valid name, not reserved, and no name
 * (family or sample, in either format) that an earlier family already writes. Prometheus and the
 * OpenMetrics parser reject a whole scrape for one such clash, so the later family is dropped
 * and `warn` is told which one and why.
 */
export function writableFamilies(
  families: readonly MetricFamily[],
  warn: (key: string, message: string) => void,
): MetricFamily[] {
  const claimed = new Map<string, string>();
  const kept: MetricFamily[] = [];
  for (const family of families) {
    const reason = invalid(family.name);
    if (reason !== undefined) {
      warn(
        `invalid:${family.name}`,
        `dropped the metric ${JSON.stringify(family.name.slice(0, 80))} (${family.help.slice(0, 80)}): ${reason}`,
      );
      continue;
    }
    const names = claimedNames(family.name, family.type);
    const clash = names.find((name) => claimed.has(name));
    if (clash !== undefined) {
      warn(
        `collision:${family.name}`,
        `dropped the ${family.type} ${family.name}: its name ${clash} is already written by ${claimed.get(clash)}; rename one of them`,
      );
      continue;
    }
    for (const name of names) claimed.set(name, family.name);
    kept.push(family);
  }
  return kept;
}
