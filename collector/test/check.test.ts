import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExposition } from '../src/check/exposition.ts';
import { checkStack } from '../src/check/main.ts';
import { ALERTS_FILE, COLLECTOR_ROOT, RECORDING_FILE } from '../src/generate.ts';
import { configureAlertmanager, startAlertmanager, type AlertmanagerServer } from './helpers/alertmanager.ts';
import { freePort, startPrometheus, tempDir, waitFor, type PrometheusServer } from './helpers/processes.ts';
import { startService, type ServiceProcess } from './helpers/services.ts';
import { run } from './helpers/tools.ts';

const MAIN = join(COLLECTOR_ROOT, 'src', 'check', 'main.ts');
const check = (args: readonly string[]): ReturnType<typeof run> =>
  run(process.execPath, ['--conditions=@agentmeter/source', '--disable-warning=ExperimentalWarning', MAIN, ...args]);

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

describe('readExposition', () => {
  it('accepts the text and OpenMetrics formats and names what is wrong', () => {
    const ok = readExposition(
      '# HELP a_total x\n# TYPE a_total counter\na_total{b="c\\"d"} 1\n# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1.5e-3\nh_count 2\n# EOF\n',
    );
    expect(ok).toEqual({ families: ['a_total', 'h'], problems: [] });
    const bad = readExposition('# TYPE a counter\na 1\na{b=c} 2\nb 3\na NaNx\n# TYPE a counter\n');
    expect(bad.problems).toEqual([
      'line 3: not a sample: a{b=c} 2',
      'line 4: b has no TYPE',
      'line 5: not a sample: a NaNx',
      'line 6: second TYPE for a',
    ]);
  });
});

describe('the stack check against a real Prometheus and Alertmanager', () => {
  let prometheus: PrometheusServer;
  let alertmanager: AlertmanagerServer;
  let service: ServiceProcess;
  let metricsUrl: string;
  const secrets = tempDir('check-secrets');

  beforeAll(async () => {
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    writeFileSync(join(secrets.path, 'slack_webhook_url'), 'http://127.0.0.1:9/hook');
    const configured = await configureAlertmanager({ ALERTMANAGER_SECRETS_DIR: secrets.path });
    alertmanager = await startAlertmanager(configured.config);
    prometheus = await startPrometheus(
      [
        // Scrapes far apart enough that a loaded test machine does not miss one (a missed scrape is a FAIL).
        'global: { scrape_interval: 3s, scrape_timeout: 3s, evaluation_interval: 1s }',
        'rule_files:',
        `  - ${join(COLLECTOR_ROOT, RECORDING_FILE)}`,
        `  - ${join(COLLECTOR_ROOT, ALERTS_FILE)}`,
        'alerting:',
        `  alertmanagers: [{ static_configs: [{ targets: ['${new URL(alertmanager.url).host}'] }] }]`,
        'scrape_configs:',
        '  - job_name: voice-api',
        `    static_configs: [{ targets: ['127.0.0.1:${metricsPort}'] }]`,
        '',
      ].join('\n'),
    );
    service = await startService({
      AGENTMETER_E2E_SERVICE: 'voice-api',
      AGENTMETER_E2E_METRICS_PORT: String(metricsPort),
      // As start()'s defaults: no GC durations, so the opt-in GC panel is a SKIP line.
      AGENTMETER_E2E_GC: '0',
    });
    await service.request({ type: 'load' }, 'loading');
    // Rates need two scrapes and recording rules an evaluation: wait until the stack is whole.
    await waitFor(
      'every check to pass',
      async () => {
        const lines = await checkStack({
          prometheus: prometheus.url,
          alertmanager: alertmanager.url,
          service: metricsUrl,
        });
        return lines.every((line) => line.ok) ? true : undefined;
      },
      120_000,
      1_000,
    ).catch(() => undefined);
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    await prometheus?.stop();
    await alertmanager?.stop();
    secrets.cleanup();
  });

  it('passes on a whole stack: one PASS line per target, rule group, Alertmanager check, panel and service (SKIP for the opt-in GC panel), exit 0', async () => {
    const result = await check([
      '--prometheus',
      prometheus.url,
      '--alertmanager',
      alertmanager.url,
      '--service',
      metricsUrl,
    ]);
    expect(result.stdout.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('PASS  target voice-api 127.0.0.1:');
    expect(result.stdout).toMatch(/PASS {2}rule group agentmeter_slo: \d+ rules healthy/);
    expect(result.stdout).toContain('PASS  alertmanager receivers: slack');
    expect(result.stdout).toContain('PASS  prometheus -> alertmanager');
    expect(result.stdout).toContain('PASS  panel agentmeter / Voice pipeline / TTS rate limits');
    expect(result.stdout).toMatch(/PASS {2}service .*\/metrics: valid, \d+ families/);
    expect(result.stdout).toContain(
      'SKIP  panel agentmeter / Runtime / GC time: no data: opt-in, filled by services that start agentmeter with runtime: { gc: true }',
    );
    expect(result.stdout.split('\n').filter((l) => l.startsWith('SKIP'))).toHaveLength(1);
    expect(result.stdout).toMatch(/all \d+ checks passed; 1 opt-in panel skipped/);
  }, 120_000);

  it('fails, line by line, on a broken stack, and exits 1', async () => {
    const deadPort = await freePort();
    const garbage = await listen((_req, res) => res.end('# TYPE x counter\nx{oops} 1\n'));
    const broken = await startPrometheus(
      [
        'global: { scrape_interval: 1s }',
        'scrape_configs:',
        '  - job_name: gone',
        `    static_configs: [{ targets: ['127.0.0.1:${deadPort}'] }]`,
        '',
      ].join('\n'),
    );
    try {
      await waitFor('the dead target to be scraped once', async () => {
        const data = (await broken.api('/api/v1/targets')) as { activeTargets: { health: string }[] };
        return data.activeTargets.some((t) => t.health === 'down') ? true : undefined;
      });
      const result = await check([
        '--prometheus',
        broken.url,
        '--alertmanager',
        `http://127.0.0.1:${deadPort}`,
        '--service',
        garbage.url,
      ]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/FAIL {2}target gone 127\.0\.0\.1:\d+: down: .+/);
      expect(result.stdout).toContain('FAIL  rule group agentmeter_http: not loaded');
      expect(result.stdout).toMatch(/FAIL {2}alertmanager: unreachable/);
      expect(result.stdout).toContain('FAIL  prometheus -> alertmanager: Prometheus sends alerts to no Alertmanager');
      expect(result.stdout).toMatch(/FAIL {2}panel agentmeter \/ Overview \/ Requests per second: no data/);
      expect(result.stdout).toContain('invalid exposition: line 2: not a sample: x{oops} 1');
      expect(result.stdout).toMatch(/\d+ of \d+ checks failed/);
    } finally {
      await broken.stop();
      garbage.server.close();
    }
  }, 120_000);

  it('exits 2 with the usage on bad arguments', async () => {
    for (const args of [
      [],
      ['--prometheus', 'not a url'],
      ['--prometheus', 'http://x', '--namespace', 'bad-name'],
      ['--nope'],
    ]) {
      const result = await check(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('usage: check --prometheus URL');
    }
  });
});
