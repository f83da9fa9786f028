import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { outageAcrossRestart, type OutageResult } from './helpers/outage.ts';
import { tempDir, waitFor } from './helpers/processes.ts';

/**
 * A backend outage during which the Collector itself restarts: the samples it had queued are
 * lost, unless wal.yaml keeps them on disk. Checked by querying Prometheus at a moment inside the
 * outage once the backend is back: only the replayed samples can answer with the outage's total.
 */
describe('the Collector across a backend outage and its own restart', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).toReversed()) await cleanup();
  });

  async function outage(configs: readonly string[]): Promise<OutageResult> {
    const dir = tempDir('wal');
    cleanups.push(dir.cleanup);
    return outageAcrossRestart({
      job: 'agentmeter-wal',
      configs,
      dir: dir.path,
      promConfig: 'global: { scrape_interval: 1s }\n',
      exporterEnv: (prometheusUrl) => ({
        PROMETHEUS_REMOTE_WRITE_URL: `${prometheusUrl}/api/v1/write`,
        AGENTMETER_COLLECTOR_WAL_DIR: join(dir.path, 'otelcol-wal'),
        AGENTMETER_COLLECTOR_WAL_FLUSH_INTERVAL: '2s',
      }),
      cleanups,
    });
  }

  it('keeps the samples of the outage with wal.yaml', async () => {
    const { valueDuring } = await outage(['local.yaml', 'wal.yaml']);
    await waitFor(
      'the outage samples from the WAL',
      async () => ((await valueDuring()) === 10 ? true : undefined),
      60_000,
    ).catch(() => undefined);
    expect(await valueDuring()).toBe(10);
  }, 180_000);

  it('loses them without it (what the WAL is for)', async () => {
    const { valueDuring, delivering } = await outage(['local.yaml']);
    await delivering();
    expect(await valueDuring()).toBe(5);
  }, 180_000);
});
