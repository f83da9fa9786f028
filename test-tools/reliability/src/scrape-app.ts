import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { createAgentMeter } from '@agentmeter/core';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { COUNTER_ROUTES, HISTOGRAM_ROUTES, SCRAPE_TOKEN, type AppReady, type PhaseFigures } from './scrape-bench.ts';

/**
 * The service of the scrape-load bench, run in its own process: an HTTP app answering light
 * requests (each recorded through trackRequest) next to @agentmeter/prometheus on its own port,
 * holding 10,000 series (9,000 counter series and 1,000 histogram series). The parent starts and
 * stops measuring over IPC; this process reports its event-loop delay and RSS for the phase.
 */
const MB = 1024 * 1024;
const cap = Number(process.argv[2]);
const meter = createAgentMeter({ seriesLimit: 20_000, attributes: { requests: ['route'] } });
for (let i = 0; i < COUNTER_ROUTES; i++) {
  meter.instruments.requests.add(1, { route: `/r/${i}`, status: 'ok' });
  meter.instruments.requests.add(1, { route: `/r/${i}`, status: 'error' });
}
for (let i = 0; i < HISTOGRAM_ROUTES; i++) meter.instruments.responseTime.record(i / 1000, { route: `/h/${i}` });

const exporter = new PrometheusExporter({
  meter,
  port: 0,
  env: {},
  token: SCRAPE_TOKEN,
  health: { checks: { self: () => true } },
  ...(Number.isInteger(cap) && cap > 0 ? { maxConcurrentScrapes: cap } : {}),
});
const metricsUrl = await exporter.start();
let served = 0;
const app: Server = createServer((_request, response) => {
  meter.trackRequest({ route: '/work' }, () => {
    served++;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ ok: true, served }));
  });
});
await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

const delay = monitorEventLoopDelay({ resolution: 1 });
let phase:
  | { rssStart: number; rssPeak: number; externalPeak: number; cpu: NodeJS.CpuUsage; sampler: NodeJS.Timeout }
  | undefined;
const newSpaceBytes = (): number =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
process.on('message', (message: string) => {
  if (message === 'start') {
    if (process.env['AGENTMETER_GC_MARKERS']) console.log('PHASE-START');
    delay.reset();
    delay.enable();
    const rss = process.memoryUsage.rss();
    const current = {
      rssStart: rss,
      rssPeak: rss,
      externalPeak: 0,
      cpu: process.cpuUsage(),
      sampler: setInterval(() => {
        const usage = process.memoryUsage();
        current.rssPeak = Math.max(current.rssPeak, usage.rss);
        current.externalPeak = Math.max(current.externalPeak, usage.external);
      }, 50),
    };
    phase = current;
  } else if (message === 'stop' && phase !== undefined) {
    if (process.env['AGENTMETER_GC_MARKERS']) console.log('PHASE-STOP');
    delay.disable();
    clearInterval(phase.sampler);
    const rssEnd = process.memoryUsage.rss();
    const cpu = process.cpuUsage(phase.cpu);
    const figures: PhaseFigures = {
      delayP99Ms: delay.percentile(99) / 1e6,
      delayMaxMs: delay.max / 1e6,
      rssStartMb: phase.rssStart / MB,
      rssPeakMb: Math.max(phase.rssPeak, rssEnd) / MB,
      rssEndMb: rssEnd / MB,
      newSpaceEndMb: newSpaceBytes() / MB,
      externalPeakMb: phase.externalPeak / MB,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
    phase = undefined;
    process.send!(figures);
  } else if (message === 'exit') {
    app.close();
    void exporter.shutdown().then(() => process.exit(0));
  }
});
process.send!({ metricsUrl, appUrl } satisfies AppReady);
