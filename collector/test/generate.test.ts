import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentMeterConfigError } from '@agentmeter/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dashboardsFor, namespacedUid } from '../src/dashboards/all.ts';
import { buildDashboard, dashboardQueries, type GrafanaDashboard } from '../src/dashboards/model.ts';
import {
  ALERTS_FILE,
  COLLECTOR_ROOT,
  DASHBOARD_FOLDER,
  RECORDING_FILE,
  renderAssets,
  TESTS_FILE,
  writeAssets,
} from '../src/generate.ts';
import { emittedSeriesNames, namesFor, SCRAPE_SERIES } from '../src/metric-names.ts';
import { metricNamesIn } from '../src/promql-names.ts';
import { tempDir } from './helpers/processes.ts';
import { findTool, run } from './helpers/tools.ts';

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}

describe('the asset generator', () => {
  it('the shipped rules, tests and dashboards are its output for agentmeter (run `pnpm --filter @agentmeter/collector-assets generate`)', () => {
    const fresh = renderAssets();
    expect(readdirSync(join(COLLECTOR_ROOT, DASHBOARD_FOLDER)).toSorted()).toEqual(
      Object.keys(fresh)
        .filter((f) => f.startsWith(DASHBOARD_FOLDER))
        .map((f) => f.slice(DASHBOARD_FOLDER.length + 1))
        .toSorted(),
    );
    for (const [file, text] of Object.entries(fresh)) {
      expect(readFileSync(join(COLLECTOR_ROOT, file), 'utf8'), `${file} is stale`).toBe(text);
    }
  });

  it('refuses a namespace the SDK would refuse, saying what to change', () => {
    for (const bad of ['', '9lives', 'digital-actors', 'a'.repeat(64), 'x{y}']) {
      expect(() => renderAssets(bad)).toThrow(AgentMeterConfigError);
    }
    expect(() => renderAssets('digital-actors')).toThrow(/letters, digits and underscores/);
  });

  it("gives another namespace's dashboards their own uids, titles and tag, so both sets import side by side", () => {
    const shipped = readdirSync(join(COLLECTOR_ROOT, DASHBOARD_FOLDER)).map(
      (file) => JSON.parse(readFileSync(join(COLLECTOR_ROOT, DASHBOARD_FOLDER, file), 'utf8')) as GrafanaDashboard,
    );
    // The shipped uids are what users imported already: they never change.
    expect(shipped.map((d) => d.uid).toSorted()).toEqual([
      'agentmeter-data',
      'agentmeter-llm',
      'agentmeter-overview',
      'agentmeter-runtime',
      'agentmeter-voice',
    ]);
    expect(shipped.every((d) => d.tags.join() === 'agentmeter')).toBe(true);
    const longest = 'n'.repeat(63);
    const sets = [
      shipped,
      ...['digital_actors', longest, `${'n'.repeat(62)}x`].map((ns) =>
        Object.values(dashboardsFor(namesFor(ns))).map(buildDashboard),
      ),
    ];
    const uids = sets.flat().map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids.every((uid) => uid.length <= 40 && /^[a-zA-Z0-9_-]+$/.test(uid))).toBe(true);
    const titles = sets.flat().map((d) => d.title);
    expect(new Set(titles).size).toBe(titles.length);
    const actors = sets[1]!;
    expect(actors.map((d) => d.uid).toSorted()).toEqual([
      'digital_actors-data',
      'digital_actors-llm',
      'digital_actors-overview',
      'digital_actors-runtime',
      'digital_actors-voice',
    ]);
    expect(actors.find((d) => d.uid === 'digital_actors-overview')?.title).toBe('digital_actors / Overview');
    expect(
      actors.every(
        (d) => d.tags.join() === 'digital_actors' && JSON.stringify(d['links']).includes('"tags":["digital_actors"]'),
      ),
    ).toBe(true);
    expect(namespacedUid('agentmeter-overview', longest)).toMatch(/^n+-[0-9a-f]{8}-overview$/);
  });

  describe('for namespace digital_actors', () => {
    let dir: { path: string; cleanup: () => void };
    beforeAll(() => {
      dir = tempDir('generate');
      writeAssets('digital_actors', dir.path);
    });
    afterAll(() => dir.cleanup());

    const rules = (file: string): RuleFile['groups'][number]['rules'] =>
      (parse(readFileSync(join(dir.path, file), 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);

    it('the rules pass promtool check rules and their unit tests', async () => {
      const check = await run(findTool('promtool'), [
        'check',
        'rules',
        join(dir.path, RECORDING_FILE),
        join(dir.path, ALERTS_FILE),
      ]);
      expect(check.stderr + check.stdout).not.toMatch(/FAILED|WARNING/);
      expect(check.code, check.stderr).toBe(0);
      const test = await run(findTool('promtool'), ['test', 'rules', join(dir.path, TESTS_FILE)]);
      expect(test.code, test.stdout + test.stderr).toBe(0);
      expect(test.stdout).toContain('SUCCESS');
    });

    it("rules, tests and dashboards use only the namespace's names, never agentmeter_ or agentmeter:", () => {
      const records = rules(RECORDING_FILE).map((r) => r.record!);
      expect(records.length).toBeGreaterThan(50);
      expect(records.every((r) => r.startsWith('digital_actors:'))).toBe(true);
      const allowed = new Set([...emittedSeriesNames('digital_actors'), ...SCRAPE_SERIES, ...records]);
      const exprs = [...rules(RECORDING_FILE), ...rules(ALERTS_FILE)].map((r) => r.expr);
      for (const file of readdirSync(join(dir.path, DASHBOARD_FOLDER))) {
        const dashboard = JSON.parse(readFileSync(join(dir.path, DASHBOARD_FOLDER, file), 'utf8')) as GrafanaDashboard;
        exprs.push(...dashboardQueries(dashboard).map((q) => q.expr));
      }
      const used = exprs.flatMap(metricNamesIn);
      expect(used.filter((name) => !allowed.has(name))).toEqual([]);
      expect(used.filter((name) => name.startsWith('digital_actors_')).length).toBeGreaterThan(50);
      const tests = readFileSync(join(dir.path, TESTS_FILE), 'utf8');
      for (const text of [...exprs, tests]) expect(text).not.toMatch(/agentmeter[_:]/);
    });
  });
});
