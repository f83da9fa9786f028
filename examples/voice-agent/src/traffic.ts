import { wavFile } from '@agentmeter/provider-sim';
import { WebSocket } from 'ws';
import { CHARACTERS, type Character } from './characters.ts';

/** What the progress line shows, over the last few seconds. */
export interface TrafficSnapshot {
  readonly perSecond: number;
  readonly errorRatio: number;
  /** 95th percentile latency of the window in ms (NaN before the first result). */
  readonly p95Ms: number;
  readonly total: number;
  readonly errors: number;
}

export interface Traffic {
  snapshot(): TrafficSnapshot;
  /** Stops starting new work and waits (at most a few seconds) for what is in flight. */
  stop(): Promise<void>;
}

export interface TrafficOptions {
  /** Virtual users working at once (default 4). */
  readonly concurrency?: number;
  /** Seconds the statistics window spans (default 10). */
  readonly windowSeconds?: number;
}

const TURN_TIMEOUT_MS = 20_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/**
 * A traffic generator that uses the service as its clients would: voice sessions over the
 * WebSocket (with the odd resent utterance and barge-in), text chat, content generation, speech,
 * scene lists, and a health probe every two seconds like a load balancer.
 */
export function startTraffic(baseUrl: string, options: TrafficOptions = {}): Traffic {
  const windowMs = (options.windowSeconds ?? 10) * 1000;
  const results: { at: number; ms: number; ok: boolean }[] = [];
  let total = 0;
  let errors = 0;
  let running = true;
  let sessions = 0;
  const startedAt = performance.now();

  const record = (ms: number, ok: boolean): void => {
    total++;
    if (!ok) errors++;
    results.push({ at: performance.now(), ms, ok });
  };
  const timed = async (fn: () => Promise<boolean>): Promise<void> => {
    const started = performance.now();
    const ok = await fn().catch(() => false);
    record(performance.now() - started, ok);
  };
  const post = (path: string, body: unknown): Promise<boolean> =>
    timedFetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const actions: readonly [weight: number, run: () => Promise<void>][] = [
    [40, () => voiceSession(baseUrl, pick(CHARACTERS), sessions++ === 0, record, () => running)],
    [
      30,
      () =>
        timed(() =>
          post('/api/chat', {
            character: pick(CHARACTERS).id,
            message: pick(['Hello!', 'Where is the galley?', 'How deep are we?', 'Tell me a story']),
          }),
        ),
    ],
    [
      10,
      () =>
        timed(() =>
          post('/api/assist', {
            character: pick(CHARACTERS).id,
            question: pick(['What is in the galley?', 'How deep can we dive?']),
          }),
        ),
    ],
    [
      3,
      () =>
        timed(() =>
          post('/api/realtime', {
            character: pick(CHARACTERS).id,
            provider: 'openai',
            sdk: pick(['openai', 'agents']),
            interrupt: Math.random() < 0.25,
          }),
        ),
    ],
    [
      2,
      () =>
        timed(() =>
          post('/api/realtime', {
            character: pick(CHARACTERS).id,
            provider: 'google',
            interrupt: Math.random() < 0.25,
          }),
        ),
    ],
    [
      10,
      () => timed(() => post('/api/generate', { character: pick(CHARACTERS).id, kind: pick(['script', 'summary']) })),
    ],
    [
      10,
      () => timed(() => post('/api/speak', { character: pick(CHARACTERS).id, text: 'All hands, prepare to surface.' })),
    ],
    [10, () => timed(() => timedFetch(`${baseUrl}/api/scenes`))],
  ];
  const weights = actions.reduce((sum, [weight]) => sum + weight, 0);
  // Every kind of action once first, so every family and dashboard panel has data within seconds.
  const firstRound = actions.map(([, run]) => run);
  const nextAction = (): (() => Promise<void>) => {
    const first = firstRound.shift();
    if (first !== undefined) return first;
    let roll = Math.random() * weights;
    for (const [weight, run] of actions) {
      if ((roll -= weight) < 0) return run;
    }
    return actions[0]![1];
  };

  const user = async (): Promise<void> => {
    // `running` turns false in stop(), between iterations.
    // oxlint-disable-next-line no-unmodified-loop-condition
    while (running) {
      await nextAction()();
      await sleep(50 + Math.random() * 250);
    }
  };
  const users = Array.from({ length: Math.max(1, options.concurrency ?? 4) }, () => user());
  const probe = setInterval(() => void timedFetch(`${baseUrl}/api/health`), 2000);

  return {
    snapshot() {
      const since = performance.now() - windowMs;
      while (results.length > 0 && results[0]!.at < since) results.shift();
      const latencies = results.map((result) => result.ms).toSorted((a, b) => a - b);
      const failed = results.filter((result) => !result.ok).length;
      const span = Math.min(windowMs, performance.now() - startedAt) / 1000;
      return {
        perSecond: span > 0 ? results.length / span : 0,
        errorRatio: results.length === 0 ? 0 : failed / results.length,
        p95Ms:
          latencies.length === 0
            ? Number.NaN
            : latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.95))]!,
        total,
        errors,
      };
    },
    async stop() {
      running = false;
      clearInterval(probe);
      await Promise.race([Promise.allSettled(users), sleep(5000)]);
    },
  };
}
/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition() && performance.now() < deadline) await sleep(20);
}

async function timedFetch(url: string, init?: RequestInit): Promise<boolean> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(TURN_TIMEOUT_MS) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * One voice session of two to four turns. The first session of a run is scripted to show every
 * voice event once: a resent utterance while the turn runs (duplicate final), one resent after it
 * ended (late), and a barge-in; later sessions do each now and then.
 */
async function voiceSession(
  baseUrl: string,
  character: Character,
  scripted: boolean,
  record: (ms: number, ok: boolean) => void,
  running: () => boolean,
): Promise<void> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/ws/voice?scene=${character.scene}&character=${character.id}`;
  const ws = new WebSocket(url);
  const inbox: Record<string, unknown>[] = [];
  let wake: (() => void) | undefined;
  let audioFrames = 0;
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      audioFrames++;
      return;
    }
    try {
      inbox.push(JSON.parse(String(data)) as Record<string, unknown>);
    } catch {
      return;
    }
    wake?.();
  });
  ws.on('close', () => wake?.());
  ws.on('error', () => wake?.());
  const next = async (
    match: (message: Record<string, unknown>) => boolean,
    timeoutMs: number,
  ): Promise<Record<string, unknown> | undefined> => {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline && ws.readyState <= WebSocket.OPEN) {
      const index = inbox.findIndex(match);
      if (index >= 0) return inbox.splice(index, 1)[0];
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 250);
      });
    }
    return undefined;
  };

  const connected = performance.now();
  if ((await next((m) => m['type'] === 'ready', 10_000)) === undefined) {
    record(performance.now() - connected, false);
    ws.terminate();
    return;
  }
  const turns = 2 + Math.floor(Math.random() * 3);
  for (let utterance = 1; utterance <= turns && running() && ws.readyState === WebSocket.OPEN; utterance++) {
    const audio = wavFile(0.8 + Math.random() * 1.6);
    for (let offset = 0; offset < audio.byteLength; offset += 16_000) ws.send(audio.subarray(offset, offset + 16_000));
    const started = performance.now();
    ws.send(JSON.stringify({ type: 'end_of_speech', utterance }));
    if ((scripted && utterance === 1) || Math.random() < 0.04)
      ws.send(JSON.stringify({ type: 'end_of_speech', utterance }));
    const bargeIn = (scripted && utterance === 2) || Math.random() < 0.06;
    const done = (m: Record<string, unknown>): boolean =>
      m['utterance'] === utterance && (m['type'] === 'agent_done' || m['type'] === 'error');
    if (bargeIn) {
      const frames = audioFrames;
      const text = await next(
        (m) => m['utterance'] === utterance && (m['type'] === 'agent_text' || m['type'] === 'error'),
        TURN_TIMEOUT_MS,
      );
      record(performance.now() - started, text?.['type'] === 'agent_text');
      // The user talks over the agent once its voice is heard: wait for the first audio frame.
      if (text?.['type'] === 'agent_text') {
        await until(() => audioFrames !== frames, 5000);
        ws.send(JSON.stringify({ type: 'interrupt' }));
      }
      await next((m) => m['utterance'] === utterance, 500);
      continue;
    }
    const answer = await next(done, TURN_TIMEOUT_MS);
    record(performance.now() - started, answer?.['type'] === 'agent_done');
    if ((scripted && utterance === 1) || Math.random() < 0.03)
      ws.send(JSON.stringify({ type: 'end_of_speech', utterance }));
    await sleep(100 + Math.random() * 300);
  }
  ws.close(1000);
  await next(() => false, 1000);
}
