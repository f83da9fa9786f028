import { CATALOG, CATALOG_KEYS, type AgentMeter, type CatalogKey } from '@agentmeter/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExposition } from './support/parse.ts';
import { HOSTILE_VALUES, HUGE_VALUE, setup, type Setup } from './support/fixtures.ts';
import { promtoolCheck } from './support/tools.ts';

const VALUES: Readonly<Record<string, string>> = {
  status: 'ok',
  error_type: 'timeout',
  token_type: 'input',
  result: 'hit',
  direction: 'inbound',
  service: 'llm',
};

/** Records one value on every catalog instrument, with every attribute it allows. */
function recordCatalog(meter: AgentMeter, value = 'x'): void {
  for (const key of CATALOG_KEYS) {
    const instrument = meter.instruments[key as CatalogKey] as unknown as Record<
      string,
      (...args: unknown[]) => void
    > & { attributeKeys: readonly string[] };
    const attributes = Object.fromEntries(instrument.attributeKeys.map((name) => [name, VALUES[name] ?? value]));
    switch (CATALOG[key].kind) {
      case 'histogram':
        instrument['record']!(0.25, attributes);
        break;
      case 'gauge':
        instrument['set']!(1, attributes);
        break;
      default:
        instrument['add']!(1, attributes);
    }
  }
}

let current: Setup | undefined;
afterEach(async () => {
  await current?.provider.shutdown();
  current = undefined;
});

describe('promtool check metrics', () => {
  it('finds zero problems in an exposition holding every catalog instrument', async () => {
    current = setup();
    recordCatalog(current.meter);
    const text = await current.exporter.scrape('text');
    const families = parseExposition(text, 'text').types;
    for (const key of CATALOG_KEYS) expect(families.has(current.meter.instruments[key].prometheusName), key).toBe(true);
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
  });

  it('finds zero problems with hostile label values, 1 MB ones included', async () => {
    current = setup({}, { attributes: { requests: ['route'] } });
    for (const value of HOSTILE_VALUES) current.meter.instruments.requests.add(1, { route: value, status: 'ok' });
    const counter = current.provider.getMeter('app').createCounter('hostile', { description: 'Hostile labels.' });
    for (const value of [...HOSTILE_VALUES, HUGE_VALUE]) counter.add(1, { value });
    expect(promtoolCheck(await current.exporter.scrape('text'))).toEqual({ status: 0, output: '' });
  });

  it('gives instruments without a description their name as HELP, which promtool would otherwise lint', async () => {
    current = setup();
    current.provider.getMeter('app').createCounter('bare.things').add(1);
    const text = await current.exporter.scrape('text');
    expect(text).toContain('# HELP bare_things_total bare.things\n');
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
    expect(promtoolCheck(text.replace(/# HELP bare_things_total.*\n/, '')).output).toContain('no help text');
  });

  it('reports a broken exposition (the check can fail)', () => {
    const result = promtoolCheck('# TYPE broken counter\nbroken{a="unterminated} 1\n');
    expect(result.status).not.toBe(0);
  });
});
