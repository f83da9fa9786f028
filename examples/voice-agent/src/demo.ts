import type { ChildProcess } from 'node:child_process';
import { envNumber, needsSimulator, readConfig, type SimulatorUrls } from './config.ts';
import { freePort, readyMessage, spawnEntry, stopChild } from './processes.ts';
import { ScrapeStore } from './live-store.ts';
import { type LiveView, startLiveView } from './live-view.ts';
import { type DemoPrometheus, startDemoPrometheus } from './prometheus.ts';
import { simulatorOptionsFromEnv } from './simulator.ts';
import { startTraffic, type Traffic } from './traffic.ts';

/**
 * `pnpm demo`: the provider simulator, the voice-agent service and a traffic generator, with a
 * live progress line, plus Prometheus when it is installed. Ctrl-C stops everything.
 *
 * Non-interactive (tests, CI): `--ci` or AGENTMETER_DEMO_SECONDS=N stops after N seconds (30 with
 * --ci alone) and prints a progress line every 5 s instead of redrawing one.
 * AGENTMETER_DEMO_PORT: the service port (default 3000, or a free one when taken).
 * AGENTMETER_DEMO_CONCURRENCY: virtual users (default 4). AGENTMETER_DEMO_PROMETHEUS=0: no Prometheus
 * (the live view then computes its charts from the service's own /metrics, as without one on PATH).
 */
const ci = process.argv.includes('--ci');
let seconds = 0;
let concurrency = 4;
let preferredPort = 3000;
try {
  seconds = envNumber(process.env, 'AGENTMETER_DEMO_SECONDS', ci ? 30 : 0, { min: 0, max: 86_400 });
  concurrency = envNumber(process.env, 'AGENTMETER_DEMO_CONCURRENCY', 4, { min: 1, max: 64, integer: true });
  preferredPort = envNumber(process.env, 'AGENTMETER_DEMO_PORT', 3000, { min: 0, max: 65_535, integer: true });
  // The simulator reads these too; a mistake is reported here rather than by a crashed child.
  simulatorOptionsFromEnv(process.env);
} catch (error) {
  console.error(`agentmeter demo: ${(error as Error).message}`);
  process.exit(2);
}
const interactive = !ci && !(seconds > 0) && process.stdout.isTTY === true;
const log = (line: string): void => {
  process.stdout.write(`${interactive ? '\r\x1b[2K' : ''}${line}\n`);
};

const children: ChildProcess[] = [];
let prometheus: DemoPrometheus | undefined;
let liveView: LiveView | undefined;
let store: ScrapeStore | undefined;
let traffic: Traffic | undefined;
let progress: NodeJS.Timeout | undefined;
let stopping: Promise<void> | undefined;

function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    if (progress !== undefined) clearInterval(progress);
    if (interactive) process.stdout.write('\n');
    await traffic?.stop();
    const final = traffic?.snapshot();
    // The service first (it may still be finishing calls to the simulator), then the rest.
    for (const child of children.toReversed()) await stopChild(child);
    await liveView?.close();
    store?.stop();
    await stopChild(prometheus?.process);
    await prometheus?.cleanup();
    if (final !== undefined) log(`agentmeter demo: stopped after ${final.total} requests (${final.errors} errors)`);
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

function fail(error: unknown): void {
  log(`agentmeter demo: ${error instanceof Error ? error.message : String(error)}`);
  void stop(1);
}

async function main(): Promise<void> {
  const started = performance.now();
  const config = readConfig();
  const env = { ...process.env };
  log('agentmeter demo: starting the provider simulator and the voice-agent service (the first start takes longer)');
  if (needsSimulator(config)) {
    const simulator = spawnEntry('./simulator-main.ts', env);
    children.push(simulator);
    const { urls } = await readyMessage<{ urls: SimulatorUrls }>(simulator, 'the provider simulator', 60_000);
    env['VOICE_AGENT_SIMULATOR'] = JSON.stringify(urls);
  }
  env['PORT'] = String(await freePort(preferredPort));
  const service = spawnEntry('./main.ts', env);
  children.push(service);
  const ready = await readyMessage<{ url: string; database: string; cache: string; simulated: string[] }>(
    service,
    'the voice-agent service',
    120_000,
  );
  const { url } = ready;

  log(`agentmeter demo: ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  log(`  service      ${url}  (database ${ready.database}, cache ${ready.cache})`);
  log(`  simulated    ${ready.simulated.length === 0 ? 'none: real providers' : ready.simulated.join(', ')}`);
  log(`  metrics      ${url}/metrics`);
  log(`  JSON         ${url}/api/metrics`);
  log(`  health       ${url}/api/health`);
  if (process.env['AGENTMETER_DEMO_PROMETHEUS'] !== '0') {
    prometheus = await startDemoPrometheus(new URL(url).host);
    log(
      prometheus === undefined
        ? '  prometheus   not on PATH (install it to get a Prometheus UI with the shipped rules)'
        : `  prometheus   ${prometheus.url}  (scrapes the service every 5 s)`,
    );
  }
  if (prometheus !== undefined) {
    liveView = await startLiveView({ prometheus: prometheus.url });
    log(`  live view    ${liveView.url}  (the main dashboards' panels, from Prometheus; open it in a browser)`);
  } else {
    // No Prometheus: the live view scrapes the service itself and evaluates the panels' queries.
    store = new ScrapeStore(`${url}/metrics`);
    await store.start(5);
    liveView = await startLiveView({ store });
    log(
      `  live view    ${liveView.url}  (the main dashboards' panels, computed from the service's /metrics; open it in a browser)`,
    );
  }
  if (!interactive)
    log(
      `  pids         demo ${process.pid}, ${children.map((child) => child.pid).join(', ')}${prometheus ? `, prometheus ${prometheus.process.pid}` : ''}`,
    );
  log(seconds > 0 ? `Running for ${seconds} s.` : 'Press Ctrl-C to stop.');

  traffic = startTraffic(url, { concurrency });
  const line = (): string => {
    const s = traffic!.snapshot();
    const p95 = Number.isNaN(s.p95Ms) ? '-' : `${Math.round(s.p95Ms)} ms`;
    return `  ${s.perSecond.toFixed(1)} req/s   errors ${(100 * s.errorRatio).toFixed(1)}%   p95 ${p95}   (${s.total} requests, ${s.errors} errors)`;
  };
  progress = interactive
    ? setInterval(() => process.stdout.write(`\r\x1b[2K${line()}`), 1000)
    : setInterval(() => log(line()), 5000);
  if (seconds > 0) setTimeout(() => void stop(0), seconds * 1000);
  // A child that dies on its own ends the demo rather than leaving it half running.
  for (const child of children) {
    child.once('exit', (code, signal) => {
      if (stopping === undefined) fail(new Error(`a child process exited unexpectedly (${signal ?? `code ${code}`})`));
    });
  }
}

main().catch(fail);
