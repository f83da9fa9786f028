import { describe, expect, it } from 'vitest';
import { createAgentMeter } from '../src/index.ts';
import { createTestReader } from '../src/testing.ts';

describe('the bind cache in front of the series map', () => {
  it('returns one handle per cleaned attribute set, whatever object carries it', () => {
    const { instruments } = createAgentMeter();
    const a = instruments.llmTokens.bind({ provider: 'openai', model: 'm', token_type: 'input' });
    const b = instruments.llmTokens.bind({ token_type: 'input', model: 'm', provider: 'openai' });
    const c = instruments.llmTokens.bind({ provider: 'openai', model: 'm', token_type: 'output' });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(instruments.errors.bind({ error_type: 'other', component: 1 })).toBe(
      instruments.errors.bind({ error_type: 'other', component: '1' }),
    );
    expect(instruments.activeSessions.bind()).toBe(instruments.activeSessions.bind({}));
  });

  it('finds every handle again as paths that share their first values split apart', () => {
    const { instruments } = createAgentMeter();
    const attributes = [
      { provider: 'openai', model: 'a', token_type: 'input' },
      { provider: 'openai', model: 'a', token_type: 'output' },
      { provider: 'openai', model: 'b', token_type: 'input' },
      { provider: 'anthropic', model: 'a', token_type: 'input' },
      { provider: 'openai', model: 'a' },
      { provider: 'openai' },
      {},
    ];
    const first = attributes.map((given) => instruments.llmTokens.bind(given));
    expect(new Set(first).size).toBe(attributes.length);
    // Bound again in another order, through the cache: the same handles.
    expect(attributes.toReversed().map((given) => instruments.llmTokens.bind({ ...given }))).toEqual(
      first.toReversed(),
    );
  });

  it('keeps values apart that a joined key would confuse', async () => {
    const meter = createAgentMeter();
    const reader = createTestReader(meter);
    meter.instruments.errors.add(1, { error_type: 'a\u0000', component: 'b' });
    meter.instruments.errors.add(1, { error_type: 'a', component: '\u0000b' });
    meter.instruments.errors.add(1, { error_type: 'a', component: undefined });
    meter.instruments.errors.add(1, { error_type: 'a', component: '-' });
    expect((await reader.collect()).points('agentmeter.errors')).toHaveLength(4);
    await reader.shutdown();
  });

  it('stays exact when a flood of values makes it start over', async () => {
    const meter = createAgentMeter({ seriesLimit: 10 });
    const reader = createTestReader(meter);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 100; i++) meter.instruments.errors.add(1, { error_type: 'other', component: `c${i}` });
    }
    const data = await reader.collect();
    expect(data.value('agentmeter.errors', { error_type: 'other', component: 'c3' })).toBe(5);
    expect(data.value('agentmeter.errors', { 'otel.metric.overflow': true })).toBe(450);
    await reader.shutdown();
  });

  it('finds series by cleaned values: raw values that clean differently still reach their own series', async () => {
    const meter = createAgentMeter({ maxAttributeLength: 12 });
    const reader = createTestReader(meter);
    const { errors } = meter.instruments;
    // 'x'.repeat(13) cleans to _too_long; the string '_too_long' is its own cleaned form: one series.
    errors.add(1, { error_type: 'x'.repeat(13), component: 'a' });
    errors.add(1, { error_type: '_too_long', component: 'a' });
    errors.add(1, { error_type: 'x'.repeat(20), component: 'a' });
    // A number and its string share a series; the lone surrogate is made well-formed.
    errors.add(1, { error_type: 'n', component: 7 });
    errors.add(1, { error_type: 'n', component: '7' });
    errors.add(1, { error_type: 'n', component: 'a\uD800' });
    errors.add(1, { error_type: 'n', component: 'a\uFFFD' });
    const data = await reader.collect();
    expect(data.points('agentmeter.errors')).toHaveLength(3);
    expect(data.value('agentmeter.errors', { error_type: '_too_long', component: 'a' })).toBe(3);
    expect(data.value('agentmeter.errors', { error_type: 'n', component: '7' })).toBe(2);
    expect(data.value('agentmeter.errors', { error_type: 'n', component: 'a\uFFFD' })).toBe(2);
    await reader.shutdown();
  });

  it('tells an absent label from a key named like an Object.prototype member', async () => {
    const meter = createAgentMeter({ attributes: { requests: ['constructor', 'toString'] } });
    const reader = createTestReader(meter);
    const { requests } = meter.instruments;
    const attributes: Record<string, string>[] = [
      {},
      { constructor: 'a' },
      { toString: 'b' },
      { constructor: 'a', toString: 'b' },
    ];
    const first = attributes.map((given) => requests.bind(given));
    expect(new Set(first).size).toBe(4);
    expect(attributes.map((given) => requests.bind({ ...given }))).toEqual(first);
    for (const handle of first) handle.add(1);
    expect((await reader.collect()).points('agentmeter.requests')).toHaveLength(4);
    await reader.shutdown();
  });
});
