import { DeepgramClient } from '@deepgram/sdk';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { createAgentMeter } from '@agentmeter/core';
import { startDeepgramSim, startElevenLabsSim, type SpeechSim } from '@agentmeter/provider-sim';
import { PrometheusExporter } from '@agentmeter/prometheus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceTurns, instrumentDeepgram, instrumentElevenLabs } from '../src/index.ts';
import { fakeClock } from './fixtures.ts';

/** The value of the sample `name{...}` whose labels include all of `labels`, from Prometheus text. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (match?.[1] !== name) continue;
    const pairs = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => pairs.includes(`${key}="${value}"`))) return Number(match[3]);
  }
  return undefined;
}

describe('a voice agent on /metrics', () => {
  const clock = fakeClock();
  const meter = createAgentMeter({ clock });
  let exporter: PrometheusExporter;
  let url: string;
  let stt: SpeechSim;
  let tts: SpeechSim;

  beforeAll(async () => {
    exporter = new PrometheusExporter({ meter, port: 0 });
    url = await exporter.start();
    stt = await startDeepgramSim({ firstByteMs: () => (clock.advance(80), 0) });
    tts = await startElevenLabsSim({ firstByteMs: () => (clock.advance(300), 0) });
  });
  afterAll(async () => {
    await Promise.all([stt.close(), tts.close()]);
    await exporter.shutdown();
  });

  it('gets STT, TTS and turn metrics from one wrapper per client and a few turn calls', async () => {
    const ws = stt.url.replace('http', 'ws');
    const deepgram = instrumentDeepgram(
      new DeepgramClient({
        apiKey: 'k',
        environment: { base: stt.url, production: ws, agent: ws, agentRest: stt.url },
      }),
      { meter, clock },
    );
    const elevenlabs = instrumentElevenLabs(new ElevenLabsClient({ apiKey: 'k', baseUrl: tts.url, maxRetries: 0 }), {
      meter,
    });
    const turns = createVoiceTurns({ meter, clock });

    const live = await deepgram.listen.v1.connect({
      model: 'nova-3',
      encoding: 'linear16',
      sample_rate: 16000,
      reconnectAttempts: 0,
    });
    const finals: string[] = [];
    live.on('message', (message) => {
      if (message.type === 'Results' && message.is_final === true)
        finals.push(message.channel.alternatives[0]?.transcript ?? '');
    });
    const closed = new Promise((resolve) => live.on('close', resolve));
    live.connect();
    await live.waitForOpen();

    // Two user utterances; the agent answers the first in full and is interrupted in the second.
    for (const [i, seconds] of [
      [0, 1.5],
      [1, 0.5],
    ] as const) {
      live.sendMedia(new Uint8Array(seconds * 32_000));
      await expect.poll(() => finals.length, { timeout: 20_000 }).toBe(i + 1);
      const turn = turns.userSpeechEnded();
      turn.finalTranscript();
      clock.advance(120); // the LLM's first sentence
      await turn.run(async () => {
        const audio = await elevenlabs.textToSpeech.stream('voice', {
          text: 'Let me check that for you.',
          modelId: 'eleven_flash_v2_5',
        });
        const reader = audio.getReader();
        await reader.read();
        if (i === 1) {
          turn.interrupted();
          await reader.cancel();
        } else {
          while (!(await reader.read()).done) {
            /* play */
          }
          turn.agentReplyEnded();
        }
      });
    }
    live.sendCloseStream({ type: 'CloseStream' });
    await closed;

    const text = await (await fetch(`${url}/metrics`)).text();
    expect(sample(text, 'agentmeter_turn_latency_seconds_count')).toBe(2);
    expect(sample(text, 'agentmeter_turn_latency_seconds_sum')).toBeCloseTo(0.84, 9); // 2 x (120 ms + 300 ms)
    expect(sample(text, 'agentmeter_turn_latency_seconds_bucket', { le: '0.5' })).toBe(2);
    expect(sample(text, 'agentmeter_voice_interruptions_total')).toBe(1);
    expect(
      sample(text, 'agentmeter_tts_requests_total', {
        provider: 'elevenlabs',
        model: 'eleven_flash_v2_5',
        status: 'success',
      }),
    ).toBe(2);
    expect(sample(text, 'agentmeter_tts_time_to_first_audio_seconds_sum', { provider: 'elevenlabs' })).toBeCloseTo(
      0.6,
      9,
    );
    expect(sample(text, 'agentmeter_tts_characters_total', { provider: 'elevenlabs' })).toBe(52);
    expect(
      sample(text, 'agentmeter_stt_requests_total', { provider: 'deepgram', model: 'nova-3', status: 'success' }),
    ).toBe(1);
    expect(sample(text, 'agentmeter_stt_audio_seconds_total', { provider: 'deepgram' })).toBe(2);
    expect(sample(text, 'agentmeter_api_cost_usd_total', { provider: 'elevenlabs', service: 'tts' })).toBeCloseTo(
      52 * 0.00005,
      12,
    );
    expect(sample(text, 'agentmeter_api_cost_usd_total', { provider: 'deepgram', service: 'stt' })).toBeCloseTo(
      (2 / 60) * 0.0077,
      12,
    );
  });
});
