import { afterEach, describe, expect, it } from 'vitest';
import { createAgentMeter, type AgentMeter } from '../src/index.ts';
import { createTestReader, type TestReader } from '../src/testing.ts';

class FakeClock {
  now = 1000;
  advance(ms: number): void {
    this.now += ms;
  }
}

let active: TestReader | undefined;
afterEach(async () => {
  await active?.shutdown();
  active = undefined;
});

function setup(options: Parameters<typeof createAgentMeter>[0] = {}): {
  meter: AgentMeter;
  clock: FakeClock;
  reader: TestReader;
} {
  const clock = new FakeClock();
  const meter = createAgentMeter({ ...options, clock: () => clock.now });
  active = createTestReader(meter);
  return { meter, clock, reader: active };
}

class RateLimitError extends Error {
  readonly status = 429;
}

describe('trackRequest', () => {
  it('records success and failure of sync and async functions with declared attributes', async () => {
    const { meter, clock, reader } = setup({ attributes: { requests: ['scene', 'character'] } });
    const labels = { scene: 'welcome', character: 'clippy' };
    expect(
      meter.trackRequest(labels, () => {
        clock.advance(250);
        return 'sync';
      }),
    ).toBe('sync');
    await expect(
      meter.trackRequest(labels, async () => {
        clock.advance(750);
        return 'async';
      }),
    ).resolves.toBe('async');
    const failure = new RateLimitError('slow down');
    await expect(
      meter.trackRequest(labels, async () => {
        clock.advance(2000);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(() =>
      meter.trackRequest(labels, () => {
        throw failure;
      }),
    ).toThrow(failure);

    const data = await reader.collect();
    expect(data.value('agentmeter.requests', { ...labels, status: 'success' })).toBe(2);
    expect(data.value('agentmeter.requests', { ...labels, status: 'error' })).toBe(2);
    expect(data.value('agentmeter.errors', { error_type: 'rate_limit', component: 'request' })).toBe(2);
    const time = data.histogram('agentmeter.response_time', labels);
    expect(time?.count).toBe(4);
    expect(time?.sum).toBeCloseTo(3.0, 9);
    expect(time?.min).toBe(0);
    expect(time?.max).toBe(2);
  });

  it('returns the very promise object the function returned', async () => {
    const { meter } = setup();
    const promise = Object.assign(Promise.resolve(7), { withResponse: () => 'kept' });
    const returned = meter.trackRequest({}, () => promise);
    expect(returned).toBe(promise);
    expect(returned.withResponse()).toBe('kept');
    await expect(returned).resolves.toBe(7);
  });
});

describe('LLM, TTS and STT calls', () => {
  it('records latency, first token, tokens, cost and error types', async () => {
    const { meter, clock, reader } = setup();
    const attrs = { provider: 'openai', model: 'gpt-4o-mini', operation: 'chat' };
    await meter.trackLlmCall(attrs, async (call) => {
      clock.advance(300);
      call.firstToken();
      clock.advance(100);
      call.firstToken();
      call.usage({ input: 12, output: 30, cached_input: 4 });
      call.cost(0.25);
    });
    const failed = meter.startLlmCall(attrs);
    clock.advance(50);
    failed.end('stream_error');
    failed.end(new Error('ignored: already ended'));

    const data = await reader.collect();
    const model = { provider: 'openai', model: 'gpt-4o-mini' };
    expect(data.value('agentmeter.llm.requests', { ...attrs, status: 'success' })).toBe(1);
    expect(data.value('agentmeter.llm.requests', { ...attrs, status: 'error' })).toBe(1);
    expect(data.histogram('agentmeter.llm.latency', attrs)?.sum).toBeCloseTo(0.45, 9);
    expect(data.histogram('agentmeter.llm.time_to_first_token', model)).toMatchObject({ count: 1, sum: 0.3 });
    expect(data.value('agentmeter.llm.tokens', { ...model, token_type: 'input' })).toBe(12);
    expect(data.value('agentmeter.llm.tokens', { ...model, token_type: 'output' })).toBe(30);
    expect(data.value('agentmeter.llm.tokens', { ...model, token_type: 'cached_input' })).toBe(4);
    expect(data.value('agentmeter.llm.tokens', { ...model, token_type: 'reasoning' })).toBeUndefined();
    expect(data.value('agentmeter.api.cost.usd', { ...model, service: 'llm' })).toBe(0.25);
    expect(data.value('agentmeter.llm.errors', { ...model, error_type: 'stream_error' })).toBe(1);
    expect(data.value('agentmeter.errors', { error_type: 'stream_error', component: 'llm' })).toBe(1);
  });

  it('records TTS first audio and characters, STT audio seconds', async () => {
    const { meter, clock, reader } = setup();
    const model = { provider: 'elevenlabs', model: 'eleven_flash_v2_5' };
    meter.trackTtsCall(model, (call) => {
      call.characters(42);
      clock.advance(180);
      call.firstAudio();
      clock.advance(500);
      call.audioSeconds(3.5);
    });
    const stt = meter.startSttCall({ provider: 'deepgram', model: 'nova-3' });
    stt.audioSeconds(12);
    clock.advance(900);
    stt.end(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));

    const data = await reader.collect();
    expect(data.histogram('agentmeter.tts.time_to_first_audio', model)).toMatchObject({ count: 1, sum: 0.18 });
    expect(data.histogram('agentmeter.tts.latency', { ...model, status: 'success' })?.sum).toBeCloseTo(0.68, 9);
    expect(data.value('agentmeter.tts.characters', model)).toBe(42);
    expect(data.value('agentmeter.tts.audio', model)).toBe(3.5);
    const deepgram = { provider: 'deepgram', model: 'nova-3' };
    expect(data.value('agentmeter.stt.requests', { ...deepgram, status: 'error' })).toBe(1);
    expect(data.value('agentmeter.stt.errors', { ...deepgram, error_type: 'timeout' })).toBe(1);
    expect(data.value('agentmeter.stt.audio', deepgram)).toBe(12);
  });
});

describe('sessions, DB, cache, conversation, generation, health', () => {
  it('records each family exactly', async () => {
    const { meter, clock, reader } = setup();
    const first = meter.startSession();
    const second = meter.startSession();
    clock.advance(30_000);
    first.end();
    first.end();
    await meter.trackDbQuery({ db_system: 'postgresql', operation: 'SELECT', table: 'users' }, async () =>
      clock.advance(4),
    );
    meter.recordCacheOperation({ cache: 'redis', operation: 'get', result: 'hit' });
    meter.recordCacheOperation({ cache: 'redis', operation: 'get', result: 'hit' });
    meter.recordCacheOperation({ cache: 'redis', operation: 'get', result: 'miss' });
    meter.recordCacheOperation({ cache: 'redis', operation: 'set', result: 'ok' });
    meter.recordConversationExchange({ intent: 'greeting' }, { quality: 0.8 });
    meter.recordEngagement(0.6);
    meter.trackContentGeneration({ content_type: 'audio' }, () => clock.advance(1500));
    meter.recordHealthCheck('database', true, 0.002);
    meter.recordHealthCheck('redis', false, 0.5);
    expect(meter.trackError(new RateLimitError('x'), { component: 'tts' })).toBe('rate_limit');
    expect(meter.trackError('validation_error')).toBe('validation_error');
    expect(meter.trackError('llm_call_error')).toBe('other');

    const data = await reader.collect();
    expect(data.value('agentmeter.active_sessions')).toBe(1);
    expect(data.value('agentmeter.sessions')).toBe(2);
    expect(data.histogram('agentmeter.session.duration')).toMatchObject({ count: 1, sum: 30 });
    const query = { db_system: 'postgresql', operation: 'SELECT', table: 'users', status: 'success' };
    expect(data.value('agentmeter.db.queries', query)).toBe(1);
    expect(data.histogram('agentmeter.db.query.duration', query)?.sum).toBeCloseTo(0.004, 9);
    expect(data.value('agentmeter.cache.operations', { cache: 'redis', operation: 'get', result: 'hit' })).toBe(2);
    expect(data.value('agentmeter.cache.hit_ratio', { cache: 'redis' })).toBeCloseTo(2 / 3, 12);
    expect(data.value('agentmeter.conversation.exchanges', { intent: 'greeting' })).toBe(1);
    expect(data.histogram('agentmeter.conversation.quality_score', { intent: 'greeting' })?.sum).toBe(0.8);
    expect(data.histogram('agentmeter.user.engagement_score')?.count).toBe(1);
    expect(data.value('agentmeter.content_generation', { content_type: 'audio', status: 'success' })).toBe(1);
    expect(data.value('agentmeter.health_check.status', { dependency: 'database' })).toBe(1);
    expect(data.value('agentmeter.health_check.status', { dependency: 'redis' })).toBe(0);
    expect(data.value('agentmeter.errors', { error_type: 'rate_limit', component: 'tts' })).toBe(1);
    expect(data.value('agentmeter.errors', { error_type: 'other', component: 'app' })).toBe(1);
    second.end();
  });

  it('runs onCollect callbacks before every collection, and survives one that throws', async () => {
    const { meter, reader } = setup();
    let size = 3;
    meter.onCollect(() => meter.instruments.dbConnectionsMax.set(size, { db_system: 'postgresql', pool: 'main' }));
    meter.onCollect(() => {
      throw new Error('broken hook');
    });
    expect(
      (await reader.collect()).value('agentmeter.db.connections.max', { db_system: 'postgresql', pool: 'main' }),
    ).toBe(3);
    size = 10;
    expect(
      (await reader.collect()).value('agentmeter.db.connections.max', { db_system: 'postgresql', pool: 'main' }),
    ).toBe(10);
  });
});

describe('custom metrics and decorators', () => {
  it('records increment, gauge, observe and time under the namespace', async () => {
    const { meter, clock, reader } = setup({ namespace: 'la_factoria' });
    meter.increment('my_custom_counter', { operation: 'create' });
    meter.increment('my_custom_counter', { operation: 'create' }, 2);
    meter.gauge('queue_size', 42, { queue: 'jobs' });
    meter.observe('payload_size', 512);
    meter.time('operation_duration', { op: 'process' }, () => clock.advance(125));
    meter.gauge('my_custom_counter', 1);

    const data = await reader.collect();
    expect(data.value('la_factoria.my_custom_counter', { operation: 'create' })).toBe(3);
    expect(data.value('la_factoria.queue_size', { queue: 'jobs' })).toBe(42);
    expect(data.histogram('la_factoria.payload_size')?.sum).toBe(512);
    expect(data.histogram('la_factoria.operation_duration', { op: 'process' })?.sum).toBe(0.125);
  });

  it('decorates class methods as TC39 decorators', async () => {
    const { meter, clock, reader } = setup();
    class Users {
      prefix = 'user-';
      get(id: number): string {
        clock.advance(3);
        return this.prefix + id;
      }
      async complete(): Promise<string> {
        clock.advance(800);
        return 'done';
      }
    }
    // Applied the way the decorator syntax applies them, so the test runs wherever it is transpiled.
    const get = meter.decorators.trackDbOperation(
      'select',
      'users',
      'postgresql',
    )(Users.prototype.get, { kind: 'method', name: 'get' } as never);
    const complete = meter.decorators.trackExternalApi('openai', 'completions')(Users.prototype.complete, {
      kind: 'method',
      name: 'complete',
    } as never);
    const users = new Users();
    expect(get.call(users, 7)).toBe('user-7');
    await expect(complete.call(users)).resolves.toBe('done');

    const data = await reader.collect();
    expect(
      data.value('agentmeter.db.queries', {
        db_system: 'postgresql',
        operation: 'select',
        table: 'users',
        status: 'success',
      }),
    ).toBe(1);
    expect(
      data.histogram('agentmeter.external_api.duration', {
        service: 'openai',
        endpoint: 'completions',
        status: 'success',
      })?.sum,
    ).toBe(0.8);
  });
});
