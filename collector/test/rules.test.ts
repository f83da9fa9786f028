import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEED_RECORDING_RULES } from '@agentmeter/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emittedSeriesNames, SCRAPE_SERIES } from '../src/metric-names.ts';
import { metricNamesIn } from '../src/promql-names.ts';
import { tempDir } from './helpers/processes.ts';
import { alertRules, recordingRules, RULES_DIR } from './helpers/rules.ts';
import { COLLECTOR_DIR, findTool, run } from './helpers/tools.ts';

const PROMETHEUS_DIR = join(COLLECTOR_DIR, 'prometheus');
const TESTS = join(PROMETHEUS_DIR, 'tests', 'alerts.test.yml');

/** The alerts issues 8 and 17 name, generalised from the seed guides. */
const REQUIRED_ALERTS = [
  'HighErrorRate',
  'SlowResponses',
  'SlowLLMCalls',
  'SlowTTSProcessing',
  'NoRequests',
  'SlowDatabaseQueries',
  'LLMAPIFailures',
  'LowCacheHitRatio',
  'HighAPICosts',
  'TTSRateLimitHigh',
  'TTSRateLimitCritical',
  'TTSErrorRateHigh',
  'LLMStreamErrorRateHigh',
  'LLMStreamTimeoutHigh',
  'TimeToFirstAudioSlow',
  'DatabasePoolExhausted',
  'ServiceDown',
  'HTTPErrorRateHigh',
  'HTTPSlowResponses',
  'ContentGenerationFailures',
  'ContentGenerationSlow',
  'ExternalAPIDown',
  'ExternalAPIErrorRateHigh',
  'ExternalAPISlow',
  'ProcessCPUHigh',
  'ProcessMemoryHigh',
  'EventLoopDelayHigh',
];

describe('Prometheus config and rules', () => {
  it('promtool check config is clean for prometheus.yml and its rule files', async () => {
    const result = await run(findTool('promtool'), ['check', 'config', join(PROMETHEUS_DIR, 'prometheus.yml')]);
    expect(result.stderr + result.stdout).not.toMatch(/FAILED|WARNING/);
    expect(result.code, result.stderr).toBe(0);
  });

  it('promtool check rules is clean', async () => {
    const result = await run(findTool('promtool'), [
      'check',
      'rules',
      join(RULES_DIR, 'recording.yml'),
      join(RULES_DIR, 'alerts.yml'),
    ]);
    expect(result.stderr + result.stdout).not.toMatch(/FAILED|WARNING/);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`SUCCESS: ${recordingRules().length} rules found`);
    expect(result.stdout).toContain(`SUCCESS: ${alertRules().length} rules found`);
  });

  it('promtool test rules passes: every alert fires when it should and stays silent when not', async () => {
    const result = await run(findTool('promtool'), ['test', 'rules', TESTS]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS');
  });

  it('the unit tests fail when an alert threshold is wrong (they can fail)', async () => {
    const dir = tempDir('rules');
    try {
      cpSync(PROMETHEUS_DIR, dir.path, { recursive: true });
      const alerts = join(dir.path, 'rules', 'alerts.yml');
      const text = readFileSync(alerts, 'utf8');
      writeFileSync(
        alerts,
        text.replace('agentmeter:requests_errors:ratio_rate5m > 0.05', 'agentmeter:requests_errors:ratio_rate5m > 0.5'),
      );
      const result = await run(findTool('promtool'), ['test', 'rules', join(dir.path, 'tests', 'alerts.test.yml')]);
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/FAILED[\s\S]*HighErrorRate/);
    } finally {
      dir.cleanup();
    }
  });

  it('has every alert the issue names', () => {
    const names = alertRules().map((rule) => rule.alert);
    expect(names).toEqual(expect.arrayContaining(REQUIRED_ALERTS));
    expect(names.filter((name) => name.includes('ErrorBudgetBurn'))).toEqual([
      'AvailabilityErrorBudgetBurnFast',
      'AvailabilityErrorBudgetBurnSlow',
      'LatencyErrorBudgetBurnFast',
      'LatencyErrorBudgetBurnSlow',
      'HTTPErrorBudgetBurnFast',
      'HTTPErrorBudgetBurnSlow',
    ]);
  });

  it('has a firing and a silent unit test for every alert', () => {
    const file = parse(readFileSync(TESTS, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
    };
    const cases = file.tests.flatMap((test) => test.alert_rule_test ?? []);
    for (const { alert } of alertRules()) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert} never expected to fire`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert} never expected to stay silent`,
      ).toBe(true);
    }
  });

  it('records the SLIs the seeds kept as in-process gauges', () => {
    const records = recordingRules().map((rule) => rule.record);
    for (const [seed, record] of Object.entries(SEED_RECORDING_RULES)) {
      expect(records, `${seed} -> ${record}`).toContain(record);
    }
    for (const family of [
      'http_server_request_duration_seconds',
      'response_time_seconds',
      'llm_latency_seconds',
      'llm_time_to_first_token_seconds',
      'tts_latency_seconds',
      'tts_time_to_first_audio_seconds',
      'turn_latency_seconds',
      'db_query_duration_seconds',
    ]) {
      for (const q of ['p50', 'p95', 'p99']) expect(records).toContain(`agentmeter:${family}:${q}_5m`);
    }
  });

  it('queries only names the SDK emits or these recording rules define', () => {
    const allowed = new Set([
      ...emittedSeriesNames(),
      ...SCRAPE_SERIES,
      ...recordingRules().map((rule) => rule.record),
    ]);
    const used = [...recordingRules(), ...alertRules()].flatMap((rule) => metricNamesIn(rule.expr));
    expect(used.length).toBeGreaterThan(50);
    expect(used.filter((name) => !allowed.has(name))).toEqual([]);
  });
});
