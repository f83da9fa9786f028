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
    expect(instruments.errors.bind({ error_type: 'other', component: 1 })).toBe(instruments.errors.bind({ error_type: 'other', component: '1' }));
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
    expect(attributes.toReversed().map((given) => instruments.llmTokens.bind({ ...given }))).toEqual(first.toReversed());
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
});
