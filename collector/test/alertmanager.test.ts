import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/processes.ts';
import { COLLECTOR_DIR, findTool, run } from './helpers/tools.ts';

const TEMPLATE = join(COLLECTOR_DIR, 'alertmanager', 'alertmanager.yml.tmpl');
const RENDER = join(COLLECTOR_DIR, 'alertmanager', 'render-config.sh');

/** Placeholder values of the kind a user sets (no real secrets). */
const ENV = {
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXX',
  SLACK_CHANNEL: '#alerts',
  PAGERDUTY_ROUTING_KEY: 'R0UT1NGKEY',
  SMTP_SMARTHOST: 'smtp.example.com:587',
  SMTP_FROM: 'alerts@example.com',
  SMTP_USERNAME: 'alerts@example.com',
  SMTP_PASSWORD: "it's a secret: {{ not a template }}",
  ALERT_EMAIL_TO: 'oncall@example.com',
};

describe('Alertmanager config', () => {
  const dir = tempDir('alertmanager');
  const config = join(dir.path, 'alertmanager.yml');

  beforeAll(async () => {
    const rendered = await run('sh', [RENDER, TEMPLATE], { env: { PATH: process.env['PATH'], ...ENV } });
    expect(rendered.code, rendered.stderr).toBe(0);
    writeFileSync(config, rendered.stdout);
  });
  afterAll(() => dir.cleanup());

  it('renders from the environment and amtool check-config is clean', async () => {
    const result = await run(findTool('amtool'), ['check-config', config]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS');
    expect(result.stdout).toContain('3 receivers');
  });

  it('keeps secrets out of the template and quotes values safely', async () => {
    const rendered = await run('sh', [RENDER, TEMPLATE], { env: { PATH: process.env['PATH'], ...ENV } });
    expect(rendered.stdout).toContain("smtp_auth_password: 'it''s a secret: {{ not a template }}'");
    const settings = rendered.stdout.split('\n').filter((line) => !line.trimStart().startsWith('#'));
    expect(settings.join('\n')).not.toMatch(/\$\{[A-Z_]+\}/);
  });

  it('refuses to render with a variable missing, naming it', async () => {
    const { SLACK_WEBHOOK_URL: _omit, ...rest } = ENV;
    const result = await run('sh', [RENDER, TEMPLATE], { env: { PATH: process.env['PATH'], ...rest, PAGERDUTY_ROUTING_KEY: '' } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/SLACK_WEBHOOK_URL/);
    expect(result.stderr).toMatch(/PAGERDUTY_ROUTING_KEY/);
  });

  it.each([
    ['severity=critical', 'pagerduty,slack'],
    ['severity=warning', 'slack'],
    ['severity=info', 'email'],
  ])('routes %s to %s', async (labels, receivers) => {
    const result = await run(findTool('amtool'), ['config', 'routes', 'test', `--config.file=${config}`, 'alertname=HighErrorRate', labels]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(receivers);
  });
});
