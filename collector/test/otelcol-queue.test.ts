import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { outageAcrossRestart, type OutageResult } from './helpers/outage.ts';
import { freePort, tempDir, waitFor } from './helpers/processes.ts';

/** Prometheus 3's OTLP receiver, named as docs/monitoring.md sets it up: the gateway's stand-in. */
const PROM_CONFIG =
  'global: { scrape_interval: 1s }\notlp:\n  translation_strategy: UnderscoreEscapingWithSuffixes\n  promote_scope_metadata: true\n';
/** What config.yaml would be with an in-memory queue: the same exporter, its storage removed. */
const IN_MEMORY = 'exporters:\n  otlp_http/grafana_cloud:\n    sending_queue:\n      storage: null\n';

/**
 * The OTLP default (config.yaml) across a backend outage during which the Collector itself
 * restarts: its sending queue is on disk (file_storage), so what it could not send yet is sent
 * after the restart. Checked by querying Prometheus at a moment inside the outage once the backend
 * is back: only the queued points can answer with the outage's total.
 */
describe("the OTLP default's persistent sending queue across a backend outage and a Collector restart", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).toReversed()) await cleanup();
  });

  async function outage(overlay?: string): Promise<OutageResult> {
    const dir = tempDir('queue');
    cleanups.push(dir.cleanup);
    const configs = ['config.yaml'];
    if (overlay !== undefined) {
      writeFileSync(join(dir.path, 'overlay.yaml'), overlay);
      configs.push(join(dir.path, 'overlay.yaml'));
    }
    const scrapeTarget = `127.0.0.1:${await freePort()}`;
    return outageAcrossRestart({
      job: 'agentmeter-queue',
      configs,
      dir: dir.path,
      promConfig: PROM_CONFIG,
      promFlags: ['--web.enable-otlp-receiver'],
      exporterEnv: (prometheusUrl) => ({
        GRAFANA_CLOUD_OTLP_ENDPOINT: `${prometheusUrl}/api/v1/otlp`,
        GRAFANA_CLOUD_INSTANCE_ID: 'unused',
        GRAFANA_CLOUD_API_TOKEN: 'unused',
        AGENTMETER_COLLECTOR_QUEUE_DIR: join(dir.path, 'queue'),
        AGENTMETER_SCRAPE_TARGET: scrapeTarget,
      }),
      cleanups,
    });
  }

  it('sends what it queued after the restart, with exact totals', async () => {
    const { valueDuring, latest } = await outage();
    await waitFor(
      'the outage points from the queue',
      async () => ((await valueDuring()) === 10 ? true : undefined),
      60_000,
    ).catch(() => undefined);
    expect(await valueDuring()).toBe(10);
    expect(await latest()).toBe(10);
  }, 180_000);

  it('loses them with an in-memory queue (what the storage is for)', async () => {
    const { valueDuring, delivering } = await outage(IN_MEMORY);
    await delivering();
    expect(await valueDuring()).toBe(5);
  }, 180_000);
});
