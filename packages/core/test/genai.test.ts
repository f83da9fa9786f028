import { afterEach, describe, expect, it } from 'vitest';
import { AgentMeterConfigError, createAgentMeter, GEN_AI_DURATION_BUCKETS } from '../src/index.ts';
import { createTestReader, type TestReader } from '../src/testing.ts';

let otel: TestReader | undefined;
afterEach(async () => {
  await otel?.shutdown();
  otel = undefined;
});

describe('speech calls as GenAI operations', () => {
  it('records gen_ai.client.operation.duration with text_to_speech and speech_to_text, and error.type on failure', async () => {
    otel = createTestReader();
    let now = 0;
    const meter = createAgentMeter({ meterProvider: otel.provider, clock: () => (now += 250) });
    const tts = meter.startTtsCall({ provider: 'elevenlabs', model: 'eleven_flash_v2_5' });
    tts.firstAudio();
    tts.end();
    meter
      .startSttCall({ provider: 'deepgram', model: 'nova-3' })
      .end(Object.assign(new Error('slow down'), { status: 429 }));
    const m = await otel.collect();
    const tts0 = m.histogram('gen_ai.client.operation.duration', {
      'gen_ai.operation.name': 'text_to_speech',
      'gen_ai.provider.name': 'elevenlabs',
      'gen_ai.request.model': 'eleven_flash_v2_5',
    });
    // start, first audio, end: the duration is the same reading as agentmeter.tts.latency.
    expect(tts0).toMatchObject({ count: 1, sum: 0.5 });
    expect(tts0?.buckets.boundaries).toEqual(GEN_AI_DURATION_BUCKETS);
    expect(
      m.histogram('gen_ai.client.operation.duration', {
        'gen_ai.operation.name': 'speech_to_text',
        'gen_ai.provider.name': 'deepgram',
        'gen_ai.request.model': 'nova-3',
        'error.type': 'rate_limit',
      }),
    ).toMatchObject({ count: 1, sum: 0.25 });
  });

  it('records none with genAiMetrics: false or AGENTMETER_GENAI_METRICS=false, and rejects other values', async () => {
    otel = createTestReader();
    createAgentMeter({ meterProvider: otel.provider, genAiMetrics: false })
      .startTtsCall({ provider: 'openai', model: 'tts-1' })
      .end();
    process.env['AGENTMETER_GENAI_METRICS'] = 'FALSE';
    try {
      createAgentMeter({ meterProvider: otel.provider }).startTtsCall({ provider: 'openai', model: 'tts-1' }).end();
    } finally {
      delete process.env['AGENTMETER_GENAI_METRICS'];
    }
    expect((await otel.collect()).points('gen_ai.client.operation.duration')).toEqual([]);
    expect(() => createAgentMeter({ genAiMetrics: 'yes' as never })).toThrow(AgentMeterConfigError);
    expect(() => createAgentMeter({ genAiMetrics: 'yes' as never })).toThrow(/genAiMetrics must be true or false/);
  });
});
