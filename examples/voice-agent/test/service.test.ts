import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { wavFile } from '@agentmeter/provider-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { readConfig } from '../src/config.ts';
import { type RunningService, startService } from '../src/service.ts';
import { type DemoSimulator, startDemoSimulator } from '../src/simulator.ts';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379';

async function requireServer(name: string, port: number): Promise<void> {
  const socket = createConnection({ host: '127.0.0.1', port });
  const up = await Promise.race([once(socket, 'connect').then(() => true), once(socket, 'error').then(() => false)]);
  socket.destroy();
  if (!up) throw new Error(`${name} is not listening on 127.0.0.1:${port}; this test needs the real server`);
}

/** The sum of the samples of `name` whose labels include `labels` (undefined when none match). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** `sample`, with no matching sample as 0. */
const count = (text: string, name: string, labels: Record<string, string> = {}): number =>
  sample(text, name, labels) ?? 0;

describe('the voice-agent service on PostgreSQL and Redis, against a fault-free simulator', () => {
  let simulator: DemoSimulator;
  let service: RunningService;
  const metrics = async (): Promise<string> => (await fetch(`${service.url}/metrics`)).text();
  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    await requireServer('PostgreSQL', 5432);
    await requireServer('Redis', 6379);
    simulator = await startDemoSimulator({
      latencyScale: 0,
      faults: { rateLimit: 0, serverError: 0, timeout: 0 },
      seed: 7,
    });
    const env = { PORT: '0', DATABASE_URL, REDIS_URL, VOICE_AGENT_CACHE_PREFIX: `voice-agent-test:${randomUUID()}:` };
    service = await startService({ ...readConfig(env), simulator: simulator.urls });
  });
  afterAll(async () => {
    await service?.close();
    await simulator?.close();
  });

  it('uses pg and ioredis, and its health endpoint checks both', async () => {
    expect([service.database, service.cache]).toEqual(['postgresql', 'redis']);
    const health = await fetch(`${service.url}/api/health`);
    expect(health.status).toBe(200);
    const report = (await health.json()) as { dependencies: Record<string, { status: string; required: boolean }> };
    expect(report.dependencies['database']).toMatchObject({ status: 'healthy', required: true });
    expect(report.dependencies['cache']).toMatchObject({ status: 'healthy', required: true });
    expect(report.dependencies['knowledge_base']).toMatchObject({ status: 'healthy', required: false });
  });

  it('counts a Redis miss, then a hit, for the scene list', async () => {
    expect((await fetch(`${service.url}/api/scenes`)).status).toBe(200);
    expect((await fetch(`${service.url}/api/scenes`)).status).toBe(200);
    const text = await metrics();
    const get = { cache: 'redis', operation: 'get' };
    expect(sample(text, 'agentmeter_cache_operations_total', { ...get, result: 'miss' })).toBe(1);
    expect(sample(text, 'agentmeter_cache_operations_total', { ...get, result: 'hit' })).toBe(1);
    expect(sample(text, 'agentmeter_requests_total', { route: '/api/scenes', status: 'success' })).toBe(2);
    expect(
      sample(text, 'agentmeter_db_queries_total', {
        db_system: 'postgresql',
        operation: 'SELECT',
        table: 'va_characters',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('labels a chat with its scene and character, and meters the OpenAI call it makes', async () => {
    const response = await post('/api/chat', { character: 'engineer', message: 'Tell me a story' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { reply: string }).reply).toMatch(/engine room/);
    const text = await metrics();
    const labels = { scene: 'submarine', character: 'engineer', route: '/api/chat' };
    expect(sample(text, 'agentmeter_requests_total', { ...labels, status: 'success' })).toBe(1);
    expect(sample(text, 'agentmeter_response_time_seconds_count', labels)).toBe(1);
    const model = { provider: 'openai', model: 'gpt-4o-mini' };
    expect(sample(text, 'agentmeter_llm_requests_total', { ...model, operation: 'chat', status: 'success' })).toBe(1);
    expect(sample(text, 'agentmeter_llm_time_to_first_token_seconds_count', model)).toBe(1);
    expect(sample(text, 'agentmeter_conversation_exchanges_total', { intent: 'smalltalk' })).toBe(1);
    // HTTP server metrics from @agentmeter/node, with the Hono route template.
    expect(
      sample(text, 'http_server_request_duration_seconds_count', {
        http_route: '/api/chat',
        http_response_status_code: '200',
      }),
    ).toBe(1);
  });

  it('answers bad input without a label from it: unknown or hostile characters, missing messages, broken JSON', async () => {
    const before = sample(await metrics(), 'agentmeter_requests_total') ?? 0;
    for (const character of ['nobody', 'x'.repeat(100_000), 42, null, { id: 'captain' }]) {
      expect((await post('/api/chat', { character, message: 'hi' })).status).toBe(404);
    }
    const broken = await fetch(`${service.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"character":',
    });
    expect(broken.status).toBe(404);
    const missing = await post('/api/chat', { character: 'guide' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'bad_request' });
    const text = await metrics();
    // Only the missing message reached trackRequest: one more request, an error, with its component.
    expect(sample(text, 'agentmeter_requests_total')).toBe(before + 1);
    expect(sample(text, 'agentmeter_requests_total', { character: 'guide', status: 'error' })).toBe(1);
    expect(sample(text, 'agentmeter_errors_total', { error_type: 'bad_request', component: 'chat' })).toBe(1);
    expect(text).not.toContain('xxxxxxxx');
    expect(text).not.toContain('nobody');
  });

  it('runs a voice turn over the WebSocket: STT, LLM, TTS, turn latency, a session and a transaction', async () => {
    const ws = new WebSocket(`${service.url.replace('http', 'ws')}/ws/voice?character=captain`);
    const messages: Record<string, unknown>[] = [];
    let audioBytes = 0;
    const done = new Promise<void>((resolve) => {
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          audioBytes += (data as Buffer).byteLength;
          return;
        }
        const message = JSON.parse(String(data)) as Record<string, unknown>;
        messages.push(message);
        if (message['type'] === 'ready') {
          ws.send(wavFile(1.5));
          ws.send(JSON.stringify({ type: 'end_of_speech', utterance: 1 }));
        }
        if (message['type'] === 'agent_done' || message['type'] === 'error') resolve();
      });
    });
    await done;
    expect(messages.map((message) => message['type'])).toEqual(['ready', 'agent_text', 'agent_done']);
    expect(audioBytes).toBeGreaterThan(0);
    ws.close(1000);
    await once(ws, 'close');

    const text = await metrics();
    const who = { scene: 'submarine', character: 'captain' };
    expect(sample(text, 'agentmeter_sessions_total', who)).toBe(1);
    expect(sample(text, 'agentmeter_turn_latency_seconds_count')).toBe(1);
    expect(
      sample(text, 'agentmeter_stt_requests_total', { provider: 'deepgram', model: 'nova-3', status: 'success' }),
    ).toBe(1);
    expect(sample(text, 'agentmeter_stt_audio_seconds_total', { provider: 'deepgram', model: 'nova-3' })).toBe(1.5);
    expect(
      sample(text, 'agentmeter_llm_requests_total', {
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        status: 'success',
      }),
    ).toBe(1);
    expect(
      sample(text, 'agentmeter_tts_requests_total', {
        provider: 'elevenlabs',
        model: 'eleven_flash_v2_5',
        status: 'success',
      }),
    ).toBe(1);
    expect(sample(text, 'agentmeter_tts_time_to_first_audio_seconds_count', { provider: 'elevenlabs' })).toBe(1);
    expect(sample(text, 'agentmeter_websocket_messages_total', { ...who, direction: 'in' })).toBe(2);
    expect(
      sample(text, 'agentmeter_db_transactions_total', { db_system: 'postgresql', status: 'commit' }),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'agentmeter_db_connections_max', { db_system: 'postgresql', pool: 'main' })).toBe(10);
  });

  it('runs realtime exchanges through the openai client and the Agents SDK session: each a response and a turn, the barge-in an interruption', async () => {
    const before = await metrics();
    const realtime = { operation: 'realtime', status: 'success' };
    for (const sdk of ['openai', 'agents']) {
      const response = await post('/api/realtime', { character: 'captain', sdk });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ character: 'captain', status: 'completed' });
    }
    const interrupted = await post('/api/realtime', { character: 'captain', sdk: 'agents', interrupt: true });
    expect(await interrupted.json()).toMatchObject({ status: 'cancelled' });
    const after = await metrics();
    expect(
      count(after, 'agentmeter_llm_requests_total', realtime) -
        count(before, 'agentmeter_llm_requests_total', realtime),
    ).toBe(3);
    expect(
      count(after, 'agentmeter_turn_latency_seconds_count') - count(before, 'agentmeter_turn_latency_seconds_count'),
    ).toBe(3);
    expect(
      count(after, 'agentmeter_voice_interruptions_total') - count(before, 'agentmeter_voice_interruptions_total'),
    ).toBe(1);
  });
});
