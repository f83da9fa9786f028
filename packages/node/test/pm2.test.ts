import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../collector/test/helpers/processes.ts';
import { promtoolCheck } from '../../prometheus/test/support/tools.ts';
import { packageDir, runNode, samples, sendRequests } from './helpers.ts';

const PM2 = join(packageDir, 'node_modules', 'pm2', 'bin', 'pm2');
const NAME = 'agentmeter-i19-pm2';
const INSTANCES = 3;

let home: string;
let env: Record<string, string>;

/** Runs the real pm2 CLI against a private PM2_HOME (its own daemon, ended by `pm2 kill`). */
async function pm2(args: string[]): Promise<string> {
  const result = await runNode([PM2, ...args], env);
  if (result.code !== 0)
    throw new Error(
      `pm2 ${args.join(' ')} exited with ${result.code}: ${(result.stdout + result.stderr).slice(-2000)}`,
    );
  return result.stdout;
}

/** Polls /metrics until `accept` holds (bounded), returning the last exposition. */
async function scrapeUntil(url: string, accept: (text: string) => boolean, what: string): Promise<string> {
  let last = '';
  for (let attempt = 0; attempt < 120; attempt++) {
    last = await fetch(url).then(
      (response) => response.text(),
      () => '',
    );
    if (accept(last)) return last;
    await sleep(500);
  }
  throw new Error(`gave up waiting for ${what}; last /metrics:\n${last.slice(0, 3000)}`);
}

const workers = (text: string): string[] =>
  samples(text, 'nodejs_eventloop_utilization_ratio')
    .map(([labels]) => labels['worker']!)
    .toSorted();
const requests = (text: string): number =>
  samples(text, 'agentmeter_requests_total').reduce((sum, [, value]) => sum + value, 0);

describe('PM2 cluster mode (the real pm2): instance 0 serves the merged /metrics', () => {
  let metricsUrl: string;
  let appUrl: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'agentmeter-pm2-'));
    const [metricsPort, appPort] = [await freePort(), await freePort()];
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    appUrl = `http://127.0.0.1:${appPort}/`;
    env = { PM2_HOME: home, METRICS_PORT: String(metricsPort), APP_PORT: String(appPort) };
    await pm2([
      'start',
      'test/fixtures/pm2-app.mjs',
      '--name',
      NAME,
      '-i',
      String(INSTANCES),
      '--node-args=--conditions=@agentmeter/source',
    ]);
  }, 120_000);

  afterAll(async () => {
    await pm2(['kill']).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('merges every instance exactly, and keeps the totals of an instance PM2 restarts', async () => {
    await scrapeUntil(metricsUrl, (text) => workers(text).length === INSTANCES, 'every PM2 instance to report');
    await sendRequests(appUrl, 300);
    const first = await scrapeUntil(metricsUrl, (text) => requests(text) >= 300, '300 requests');
    expect(requests(first)).toBe(300);
    expect(
      samples(first, 'http_server_request_duration_seconds_count').reduce((sum, [, value]) => sum + value, 0),
    ).toBe(300);
    expect(workers(first)).toEqual(['0', '1', '2']);
    const checked = promtoolCheck(first);
    expect(checked.output).toBe('');

    // PM2 restarts instance 2 (pm_id 2, SIGINT): its last reported totals stay, its successor starts at zero.
    await pm2(['restart', '2']);
    await scrapeUntil(metricsUrl, (text) => workers(text).length === INSTANCES, 'the restarted instance to report');
    expect(requests(await (await fetch(metricsUrl)).text())).toBe(300);
    await sendRequests(appUrl, 150);
    const last = await scrapeUntil(metricsUrl, (text) => requests(text) >= 450, '450 requests');
    expect(requests(last)).toBe(450);
  }, 180_000);
});
