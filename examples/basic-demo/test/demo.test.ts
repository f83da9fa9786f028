import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOG_KEYS, createAgentMeter } from '@agentmeter/core';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('the basic demo', () => {
  it('serves /metrics with every catalog family, then stops by itself', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, ['--conditions=@agentmeter/source', main], {
      env: { ...process.env, AGENTMETER_DEMO_PORT: String(port), AGENTMETER_DEMO_SECONDS: '30' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          output += chunk;
          if (output.includes('/metrics')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${output}`)));
      });
      expect(output).toMatch(new RegExp(`http://127\\.0\\.0\\.1:${port}/metrics`));

      const meter = createAgentMeter();
      let missing: string[] = [];
      for (let attempt = 0; attempt < 40; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        const names = new Set(text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => line.split(/[{ ]/)[0]));
        // Every catalog instrument has at least one sample (under its name, or its histogram series).
        missing = CATALOG_KEYS.map((key) => meter.instruments[key].otelName.replace(/\./g, '_')).filter(
          (base) => ![...names].some((name) => name !== undefined && name.startsWith(base)),
        );
        if (missing.length === 0) break;
      }
      expect(missing).toEqual([]);

      const openMetrics = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
      expect(openMetrics.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
      expect((await openMetrics.text()).endsWith('# EOF\n')).toBe(true);
      const json = await fetch(`http://127.0.0.1:${port}/api/metrics`);
      expect(Object.keys((await json.json()) as object)).toEqual(['timestamp', 'counters', 'gauges', 'histograms']);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect([health.status, ((await health.json()) as { status: string }).status]).toEqual([200, 'healthy']);
    } finally {
      child.kill('SIGINT');
      if (child.exitCode === null) await once(child, 'exit');
    }
    expect(child.exitCode).toBe(0);
  });
});
