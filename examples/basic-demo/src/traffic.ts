import type { AgentMeter } from '@agentmeter/core';

const SCENES = ['welcome', 'life_raft', 'submarine'] as const;
const CHARACTERS = ['clippy', 'submariner'] as const;
const LLMS = [
  { provider: 'openai', model: 'gpt-4o-mini' },
  { provider: 'anthropic', model: 'claude-haiku-4-5' },
] as const;
const FAILURES = ['rate_limit', 'timeout', 'server_error'] as const;

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

/** Roughly log-normal latency around a median, in milliseconds. */
function latency(medianMs: number): number {
  const gaussian = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
  return medianMs * Math.exp(0.5 * gaussian);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One simulated conversation turn touching every catalog family. Latencies are scaled down 10x. */
export async function simulateTurn(meter: AgentMeter): Promise<void> {
  const labels = { scene: pick(SCENES), character: pick(CHARACTERS) };
  const session = meter.startSession();
  meter.instruments.websocketConnectionsActive.add(1);
  meter.instruments.websocketMessages.add(1, { direction: 'in' });
  meter.instruments.websocketTraffic.add(180, { direction: 'in' });
  try {
    await meter.trackRequest(labels, async () => {
      const cached = Math.random() < 0.6;
      meter.recordCacheOperation({ cache: 'memory', operation: 'get', result: cached ? 'hit' : 'miss' });
      if (!cached) meter.recordCacheOperation({ cache: 'memory', operation: 'set', result: 'ok' });
      await meter.trackDbQuery({ db_system: 'pglite', operation: 'SELECT', table: 'characters' }, () => sleep(latency(0.3)));
      const stt = meter.startSttCall({ provider: 'deepgram', model: 'nova-3' });
      await sleep(latency(20));
      stt.audioSeconds(2.5);
      stt.cost(2.5 * 0.0043 / 60);
      stt.end(Math.random() < 0.03 ? 'timeout' : undefined);
      const llm = pick(LLMS);
      const failure = Math.random() < 0.05 ? pick(FAILURES) : undefined;
      await meter.trackLlmCall({ ...llm, operation: 'chat' }, async (call) => {
        await sleep(latency(30));
        if (failure !== undefined) throw Object.assign(new Error('simulated provider failure'), { status: failure === 'rate_limit' ? 429 : failure === 'timeout' ? 408 : 503 });
        call.firstToken();
        await sleep(latency(40));
        call.usage({ input: 420, output: 96, cached_input: 128 });
        call.cost(0.0002);
      });
      await meter.trackTtsCall({ provider: 'elevenlabs', model: 'eleven_flash_v2_5' }, async (call) => {
        call.characters(140);
        await sleep(latency(15));
        if (Math.random() < 0.04) throw Object.assign(new Error('simulated TTS rate limit'), { status: 429 });
        call.firstAudio();
        await sleep(latency(20));
        call.audioSeconds(6.2);
        call.cost(140 * 0.00005);
      });
      meter.instruments.turnLatency.record(latency(700) / 1000);
      if (Math.random() < 0.1) meter.instruments.voiceInterruptions.add(1);
      if (Math.random() < 0.03) meter.instruments.voiceEventsDropped.add(1, { reason: pick(['late', 'duplicate_final']) });
      meter.recordConversationExchange({ intent: pick(['greeting', 'question', 'smalltalk']) }, { quality: Math.random() });
      await meter.trackContentGeneration({ content_type: 'audio' }, () => sleep(latency(5)));
      await meter.trackExternalApi({ service: 'weather', endpoint: 'forecast' }, () => sleep(latency(8)));
    });
  } catch {
    // Failures are part of the simulation; the meter has recorded them.
  } finally {
    meter.instruments.websocketMessages.add(1, { direction: 'out' });
    meter.instruments.websocketTraffic.add(2400, { direction: 'out' });
    meter.instruments.websocketConnectionsActive.add(-1);
    meter.instruments.websocketConnectionDuration.record(latency(60_000) / 1000);
    meter.recordEngagement(Math.random());
    session.end();
  }
}

/** Gauges the demo reads at each scrape, as a real service would read its pool and dependencies. */
export function watchDependencies(meter: AgentMeter): void {
  meter.onCollect(() => {
    const pool = { db_system: 'pglite', pool: 'main' };
    meter.instruments.dbConnectionsMax.set(10, pool);
    meter.instruments.dbConnectionsActive.set(Math.floor(Math.random() * 4), pool);
    meter.instruments.dbConnectionsIdle.set(2, pool);
    meter.instruments.dbConnectionsPending.set(0, pool);
    meter.recordHealthCheck('database', true, 0.001);
  });
  meter.instruments.dbTransactions.add(1, { db_system: 'pglite', status: 'commit' });
}
