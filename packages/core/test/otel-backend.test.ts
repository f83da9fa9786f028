import { describe, expect, it } from 'vitest';
import { createAgentMeter } from '../src/index.ts';
import { createTestReader } from '../src/testing.ts';

describe('the MeterProvider backend', () => {
  it('records through the plain OpenTelemetry API of a given provider, with the same safety', async () => {
    const reader = createTestReader();
    const meter = createAgentMeter({ meterProvider: reader.provider, seriesLimit: 3 });
    expect(meter.metricProducer).toBeUndefined();
    meter.onCollect(() => meter.instruments.dbConnectionsActive.set(4, { db_system: 'mysql', pool: 'p' }));
    meter.trackLlmCall({ provider: 'anthropic', model: 'claude', operation: 'chat' }, (call) =>
      call.usage({ input: 5 }),
    );
    meter.instruments.llmTokens.add(NaN, { provider: 'anthropic', model: 'claude', token_type: 'input' });
    for (let i = 0; i < 10; i++) meter.instruments.errors.add(1, { error_type: 'other', component: `c${i}` });

    const data = await reader.collect();
    expect(data.value('agentmeter.llm.tokens', { provider: 'anthropic', model: 'claude', token_type: 'input' })).toBe(
      5,
    );
    expect(
      data.value('agentmeter.llm.requests', {
        provider: 'anthropic',
        model: 'claude',
        operation: 'chat',
        status: 'success',
      }),
    ).toBe(1);
    expect(data.value('agentmeter.db.connections.active', { db_system: 'mysql', pool: 'p' })).toBe(4);
    expect(data.value('agentmeter.errors', { 'otel.metric.overflow': true })).toBe(7);
    const latency = data.histogram('agentmeter.llm.latency', {
      provider: 'anthropic',
      model: 'claude',
      operation: 'chat',
    });
    expect(latency?.buckets.boundaries).toEqual(meter.instruments.llmLatency.spec.buckets);
    await reader.shutdown();
  });
});
