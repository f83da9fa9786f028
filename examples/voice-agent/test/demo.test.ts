import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { CATALOG_KEYS, createAgentMeter } from '@agentmeter/core';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
// The stack check of collector/ (the operator's command), run against the demo's Prometheus.
import { checkStack } from '../../../collector/src/check/main.ts';
import { onPath } from '../src/processes.ts';

const demo = fileURLToPath(new URL('../src/demo.ts', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sample names on a Prometheus text page. */
function sampleNames(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.split(/[{ ]/)[0]!),
  );
}

/** Catalog instruments with no sample yet: a histogram has `_bucket`, `_sum` and `_count` samples. */
function missingFamilies(names: Set<string>): string[] {
  const meter = createAgentMeter();
  return CATALOG_KEYS.map((key) => meter.instruments[key].prometheusName).filter(
    (name) => !names.has(name) && !['_bucket', '_count', '_sum'].some((suffix) => names.has(`${name}${suffix}`)),
  );
}

function promtool(text: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.error !== undefined) {
    throw new Error(
      `promtool is needed for this test and was not found on the PATH (${result.error.message}); install Prometheus's promtool`,
    );
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface LiveViewState {
  panels: number;
  empty: string[];
  refreshed: number;
  source: string;
}

/**
 * Runs the demo in its own process group with `env`, waits for its start-up lines, runs `body`
 * with the output so far, then stops the whole group with SIGINT (as a terminal's Ctrl-C does)
 * and waits for it to exit, whatever `body` did.
 */
async function runDemo(
  env: NodeJS.ProcessEnv,
  body: (output: string) => Promise<void>,
): Promise<{ exitCode: number | null; output: string; pids: number[] }> {
  const child = spawn(process.execPath, ['--conditions=@agentmeter/source', demo], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
  });
  try {
    for (let waited = 0; !/pids +demo/.test(output) && child.exitCode === null && waited < 150_000; waited += 250)
      await sleep(250);
    await body(output);
  } finally {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
    await exited;
  }
  const pids = [...(/pids +(.*)/.exec(output)?.[1] ?? '').matchAll(/\d+/g)].map((match) => Number(match[0]));
  return { exitCode: child.exitCode, output, pids };
}

async function expectLiveView(url: string, source: 'prometheus' | 'service'): Promise<void> {
  const executablePath = onPath('chromium');
  if (executablePath === undefined)
    throw new Error(
      'chromium is needed for this test and was not found on the PATH; run `bash collector/scripts/ensure-tools.sh`',
    );
  const profile = mkdtempSync(join(tmpdir(), 'agentmeter-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(url);
    await page
      .waitForFunction(
        () => {
          const state = (globalThis as unknown as { liveView: LiveViewState }).liveView;
          return state.refreshed > 0 && state.panels > 0 && state.empty.length === 0;
        },
        undefined,
        { timeout: 90_000 },
      )
      .catch(() => undefined);
    const state = await page.evaluate(() => (globalThis as unknown as { liveView: LiveViewState }).liveView);
    expect(state.empty).toEqual([]);
    expect(state.panels).toBe(12);
    expect(state.source).toBe(source);
    const charts = await page.$$eval('section.panel', (panels) =>
      panels.map((p) => ({
        title: p.querySelector('h2')?.textContent,
        points: Number(p.getAttribute('data-points')),
        canvas: p.querySelector('canvas') !== null,
      })),
    );
    expect(charts.filter((c) => !(c.points > 0 && c.canvas))).toEqual([]);
    expect(charts.map((c) => c.title)).toContain('TTS rate limits');
    expect(errors).toEqual([]);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

describe('pnpm demo (non-interactive)', () => {
  it('with its default settings serves every catalog family, clean for promtool, healthy, with simulated 429s as rate_limit, scraped by Prometheus with every dashboard panel answering; Ctrl-C leaves nothing behind', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, AGENTMETER_DEMO_SECONDS: '240', AGENTMETER_DEMO_PORT: '0' };
    for (const key of [
      'AGENTMETER_SIM_LATENCY_SCALE',
      'AGENTMETER_SIM_RATE_LIMIT',
      'AGENTMETER_SIM_SERVER_ERROR',
      'AGENTMETER_SIM_TIMEOUT',
      'OPENAI_API_KEY',
      'ANTHROPIC_API_KEY',
      'ELEVENLABS_API_KEY',
      'CARTESIA_API_KEY',
      'DEEPGRAM_API_KEY',
      'DATABASE_URL',
      'REDIS_URL',
    ])
      delete env[key];
    // Its own process group, so the test can send SIGINT to the whole group as a terminal's Ctrl-C does.
    const { exitCode, output, pids } = await runDemo(env, async (started) => {
      const base = /metrics +(http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(started)?.[1];
      expect(base, started).toBeDefined();

      let text = '';
      let missing: string[] = [];
      for (let attempt = 0; attempt < 120; attempt++) {
        text = await (await fetch(`${base}/metrics`)).text();
        missing = missingFamilies(sampleNames(text));
        if (
          missing.length === 0 &&
          /operation="realtime"[^}]*provider="google"|provider="google"[^}]*operation="realtime"/.test(text) &&
          /operation="realtime"[^}]*provider="openai"|provider="openai"[^}]*operation="realtime"/.test(text) &&
          /_errors_total\{[^}]*error_type="rate_limit"/.test(text)
        )
          break;
        await sleep(1000);
      }
      expect(missing).toEqual([]);
      // The realtime route: speech-to-speech sessions through instrumentOpenAIRealtime and instrumentGeminiLive.
      const realtimeCalls = text
        .split('\n')
        .filter((line) => /^agentmeter_llm_requests_total\{[^}]*operation="realtime"[^}]*\} [1-9]/.test(line));
      expect(realtimeCalls.some((line) => line.includes('provider="openai"'))).toBe(true);
      expect(realtimeCalls.some((line) => line.includes('provider="google"'))).toBe(true);
      expect(text).toMatch(/agentmeter_(llm|tts|stt)_errors_total\{[^}]*error_type="rate_limit"[^}]*\} [1-9]/);
      expect(text).toMatch(/agentmeter_requests_total\{[^}]*scene="[a-z_]+",character="[a-z]+"/);
      expect(text).toMatch(
        /agentmeter_sessions_total\{otel_scope_name="@agentmeter\/core",otel_scope_version="[^"]+",scene="[a-z_]+",character="[a-z]+"\} [1-9]/,
      );
      expect(text).toMatch(/^http_server_request_duration_seconds_count\{/m);
      expect(promtool(text)).toEqual({ status: 0, output: '' });

      const health = await fetch(`${base}/api/health`);
      expect(health.status).toBe(200);
      const report = (await health.json()) as { status: string; dependencies: Record<string, { status: string }> };
      expect(report.status).not.toBe('unhealthy');
      expect(report.dependencies['database']?.status).toBe('healthy');
      const snapshot = await fetch(`${base}/api/metrics`);
      expect(snapshot.status).toBe(200);
      expect(JSON.stringify(await snapshot.json())).toContain('agentmeter_llm_requests_total');

      // Prometheus is on this machine's PATH: the demo runs it against the service, with the shipped rules.
      if (onPath('prometheus') === undefined)
        throw new Error('prometheus is needed for this test and was not found on the PATH; install Prometheus');
      const prometheus = /prometheus +(http:\/\/127\.0\.0\.1:\d+)/.exec(started)?.[1];
      expect(prometheus, started).toBeDefined();
      let up = false;
      for (let attempt = 0; attempt < 60 && !up; attempt++) {
        const targets = (await (await fetch(`${prometheus}/api/v1/targets`)).json()) as {
          data: { activeTargets: { health: string }[] };
        };
        up = targets.data.activeTargets.some((target) => target.health === 'up');
        if (!up) await sleep(1000);
      }
      expect(up).toBe(true);
      // Every shipped rule group loaded and healthy, and every dashboard panel's query with data
      // (including the TTS rate-limit and external-API panels), as the operator's check sees it.
      let failed: string[] = [];
      for (let attempt = 0; attempt < 60; attempt++) {
        const lines = await checkStack({ prometheus: prometheus!, service: `${base}/metrics` });
        failed = lines.filter((line) => !line.ok).map((line) => `${line.what}: ${line.detail}`);
        if (failed.length === 0) break;
        await sleep(2000);
      }
      expect(failed).toEqual([]);

      // The live view, in a real headless Debian chromium: no console error, every chart has data.
      const live = /live view +(http:\/\/127\.0\.0\.1:\d+\/)/.exec(started)?.[1];
      expect(live, started).toBeDefined();
      await expectLiveView(live!, 'prometheus');
    });
    expect(exitCode).toBe(0);
    expect(pids.length).toBe(4);
    expect(pids.filter(alive)).toEqual([]);
    expect(output).toMatch(/stopped after \d+ requests/);
  }, 300_000);
});

/** PATH without any directory that holds a `prometheus` executable. */
function pathWithoutPrometheus(): string {
  return (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && !existsSync(join(dir, 'prometheus')))
    .join(delimiter);
}

describe('pnpm demo with no Prometheus on the PATH', () => {
  it("serves the live view from the service's own /metrics: no console error, every chart has data", async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: pathWithoutPrometheus(),
      AGENTMETER_DEMO_SECONDS: '150',
      AGENTMETER_DEMO_PORT: '0',
    };
    for (const key of ['DATABASE_URL', 'REDIS_URL']) delete env[key];
    const { exitCode, pids } = await runDemo(env, async (started) => {
      expect(started).toMatch(/prometheus +not on PATH/);
      const live =
        /live view +(http:\/\/127\.0\.0\.1:\d+\/) +\(the main dashboards' panels, computed from the service's \/metrics/.exec(
          started,
        )?.[1];
      expect(live, started).toBeDefined();
      await expectLiveView(live!, 'service');
    });
    expect(exitCode).toBe(0);
    // Three processes this time: demo, simulator and service.
    expect(pids.length).toBe(3);
    expect(pids.filter(alive)).toEqual([]);
  }, 240_000);
});
