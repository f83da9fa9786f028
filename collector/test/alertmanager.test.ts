import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configureAlertmanager, startAlertmanager } from './helpers/alertmanager.ts';
import { tempDir, waitFor } from './helpers/processes.ts';
import { findTool, run } from './helpers/tools.ts';

/** Placeholder values of the kind a user sets (no real secrets). */
const SECRETS = {
  slack_webhook_url: 'https://hooks.slack.com/services/T000/B000/XXXX',
  pagerduty_routing_key: 'R0UT1NGKEY',
  smtp_password: "it's a secret: {{ not a template }}",
};
const EMAIL = {
  ALERT_EMAIL_TO: 'oncall@example.com',
  SMTP_SMARTHOST: 'smtp.example.com:587',
  SMTP_FROM: "alerts'team@example.com",
};

const dirs: { cleanup: () => void }[] = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

/** A secrets folder holding the given files, and a path for the config. */
function secrets(files: Partial<typeof SECRETS>): { dir: string; config: string } {
  const dir = tempDir('alertmanager');
  dirs.push(dir);
  mkdirSync(join(dir.path, 'secrets'));
  for (const [name, value] of Object.entries(files)) writeFileSync(join(dir.path, 'secrets', name), `${value}\n`);
  return { dir: join(dir.path, 'secrets'), config: join(dir.path, 'alertmanager.yml') };
}

async function configured(files: Partial<typeof SECRETS>, env: Record<string, string> = {}): Promise<string> {
  const { dir, config } = secrets(files);
  const result = await configureAlertmanager({ ALERTMANAGER_SECRETS_DIR: dir, ...env });
  expect(result.code, result.stderr).toBe(0);
  writeFileSync(config, result.config);
  const check = await run(findTool('amtool'), ['check-config', config]);
  expect(check.code, check.stdout + check.stderr).toBe(0);
  expect(check.stdout).toContain('SUCCESS');
  return config;
}

async function routes(config: string, labels: string): Promise<string> {
  const result = await run(findTool('amtool'), [
    'config',
    'routes',
    'test',
    `--config.file=${config}`,
    'alertname=HighErrorRate',
    labels,
  ]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe('Alertmanager config (configure.sh)', () => {
  it('with every receiver: secrets stay in files, amtool check-config is clean, each severity goes where the docs say', async () => {
    const config = await configured(SECRETS, EMAIL);
    const check = await run(findTool('amtool'), ['check-config', config]);
    expect(check.stdout).toContain('4 receivers');
    expect(await routes(config, 'severity=critical')).toBe('pagerduty,slack,email');
    expect(await routes(config, 'severity=warning')).toBe('slack,email');
    expect(await routes(config, 'severity=info')).toBe('email');
    const text = (await configureAlertmanager({ ALERTMANAGER_SECRETS_DIR: '/run/secrets', ...EMAIL })).config;
    for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
    const full = readFileSync(config, 'utf8');
    for (const value of Object.values(SECRETS)) expect(full).not.toContain(value);
    expect(full).toMatch(/routing_key_file: '.*\/pagerduty_routing_key'/);
    expect(full).toMatch(/api_url_file: '.*\/slack_webhook_url'/);
    expect(full).toMatch(/smtp_auth_password_file: '.*\/smtp_password'/);
    expect(full).toContain("smtp_from: 'alerts''team@example.com'");
  });

  it('leaves out a receiver that is not configured', async () => {
    const slackOnly = await configured({ slack_webhook_url: SECRETS.slack_webhook_url });
    expect((await run(findTool('amtool'), ['check-config', slackOnly])).stdout).toContain('2 receivers');
    expect(await routes(slackOnly, 'severity=critical')).toBe('slack');
    expect(await routes(slackOnly, 'severity=info')).toBe('none');
    const emailWithoutPassword = await configured({}, EMAIL);
    expect(await routes(emailWithoutPassword, 'severity=critical')).toBe('email');
    // A secret file holding only white space counts as not configured.
    const empty = await configured({ pagerduty_routing_key: '' }, { ALERT_EMAIL_TO: 'oncall@example.com' });
    expect((await run(findTool('amtool'), ['check-config', empty])).stdout).toContain('1 receivers');
    expect(await routes(empty, 'severity=critical')).toBe('none');
  });

  it('the routing test fails when routing changes (it can fail)', async () => {
    const config = await configured(SECRETS, EMAIL);
    const result = await run(findTool('amtool'), [
      'config',
      'routes',
      'test',
      `--config.file=${config}`,
      '--verify.receivers=slack',
      'severity=critical',
    ]);
    expect(result.code).not.toBe(0);
  });

  it('a real Alertmanager reads the Slack webhook from its file and delivers an alert to it', async () => {
    const received: unknown[] = [];
    const hook: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const address = hook.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const config = await configured(
      { slack_webhook_url: `http://127.0.0.1:${address.port}/hook` },
      { ALERTMANAGER_GROUP_WAIT: '1s' },
    );
    const alertmanager = await startAlertmanager(readFileSync(config, 'utf8'));
    try {
      const alert = {
        labels: { alertname: 'HTTPErrorRateHigh', job: 'api', severity: 'critical' },
        annotations: { summary: 'HTTP 5xx responses on api', description: '10%' },
      };
      const post = await fetch(`${alertmanager.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([alert]),
      });
      expect(post.status).toBe(200);
      await waitFor(
        'the Slack webhook to receive the alert',
        async () => (received.length > 0 ? true : undefined),
        60_000,
        200,
      );
      expect(JSON.stringify(received[0])).toContain('HTTP 5xx responses on api');
      expect(JSON.stringify(received[0])).toContain('"title":"[FIRING] HTTPErrorRateHigh (critical)"');
    } finally {
      await alertmanager.stop();
      hook.close();
    }
  }, 90_000);
});
