import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentMeterConfigError } from '@agentmeter/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dashboardQueries, type GrafanaDashboard } from '../src/dashboards/model.ts';
import { ALERTS_FILE, COLLECTOR_ROOT, DASHBOARD_FOLDER, RECORDING_FILE, renderAssets, TESTS_FILE, writeAssets } from '../src/generate.ts';
import { emittedSeriesNames, SCRAPE_SERIES } from '../src/metric-names.ts';
import { metricNamesIn } from '../src/promql-names.ts';
import { tempDir } from './helpers/processes.ts';
import { findTool, run } from './helpers/tools.ts';

interface RuleFile { groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[] }

describe('the asset generator', () => {
  it('the shipped rules, tests and dashboards are its output for agentmeter (run `pnpm --filter @agentmeter/collector-assets generate`)', () => {
    const fresh = renderAssets();
    expect(readdirSync(join(COLLECTOR_ROOT, DASHBOARD_FOLDER)).toSorted())
      .toEqual(Object.keys(fresh).filter((f) => f.startsWith(DASHBOARD_FOLDER)).map((f) => f.slice(DASHBOARD_FOLDER.length + 1)).toSorted());
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
      const check = await run(findTool('promtool'), ['check', 'rules', join(dir.path, RECORDING_FILE), join(dir.path, ALERTS_FILE)]);
      expect(check.stderr + check.stdout).not.toMatch(/FAILED|WARNING/);
      expect(check.code, check.stderr).toBe(0);
      const test = await run(findTool('promtool'), ['test', 'rules', join(dir.path, TESTS_FILE)]);
      expect(test.code, test.stdout + test.stderr).toBe(0);
      expect(test.stdout).toContain('SUCCESS');
    });

    it('rules, tests and dashboards use only the namespace\'s names, never agentmeter_ or agentmeter:', () => {
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
