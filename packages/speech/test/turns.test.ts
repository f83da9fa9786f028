import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { startElevenLabsSim } from '@agentmeter/provider-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSpeechTracker, createVoiceTurns, instrumentElevenLabs, type VoiceTurns } from '../src/index.ts';
import { drain, HOSTILE_VALUES, meterFixture, type MeterFixture } from './fixtures.ts';

const LATENCY = 'agentmeter.turn.latency';
const DROPPED = 'agentmeter.voice.events_dropped';
const INTERRUPTIONS = 'agentmeter.voice.interruptions';

describe('createVoiceTurns', () => {
  let fx: MeterFixture;
  let turns: VoiceTurns;

  beforeEach(() => {
    fx = meterFixture();
    turns = createVoiceTurns({ meter: fx.meter, clock: fx.clock });
  });
  afterEach(() => fx.reader.shutdown());

  it('records turn latency from the end of user speech to the first agent audio, once', async () => {
    const first = turns.userSpeechEnded();
    fx.clock.advance(420);
    first.agentAudioStarted();
    fx.clock.advance(300);
    first.agentAudioStarted(); // later chunks of the same reply
    first.agentReplyEnded();
    const second = turns.userSpeechEnded();
    fx.clock.advance(1_750);
    second.agentAudioStarted();
    second.agentReplyEnded();
    const data = await fx.collect();
    expect(data.histogram(LATENCY)).toMatchObject({ count: 2, min: 0.42, max: 1.75 });
    expect(data.histogram(LATENCY)?.sum).toBeCloseTo(2.17, 9);
    // The dropped-event series exist from the start, at zero.
    expect(data.value(DROPPED, { reason: 'late' })).toBe(0);
  });

  it('counts a barge-in, then the late events of the closed turn', async () => {
    const turn = turns.userSpeechEnded();
    fx.clock.advance(500);
    turn.agentAudioStarted();
    turn.interrupted();
    expect(turn.closed).toBe(true);
    turn.agentAudioStarted();
    turn.agentReplyEnded();
    turn.interrupted();
    const data = await fx.collect();
    expect(data.value(INTERRUPTIONS)).toBe(1);
    expect(data.value(DROPPED, { reason: 'late' })).toBe(3);
    expect(data.histogram(LATENCY)).toMatchObject({ count: 1, sum: 0.5 });
  });

  it('drops a second final transcript as duplicate_final, and one after the turn as late', async () => {
    const turn = turns.userSpeechEnded();
    expect(turn.finalTranscript()).toBe(true);
    expect(turn.finalTranscript()).toBe(false);
    expect(turn.finalTranscript()).toBe(false);
    turn.end();
    expect(turn.finalTranscript()).toBe(false);
    const data = await fx.collect();
    expect(data.value(DROPPED, { reason: 'duplicate_final' })).toBe(2);
    expect(data.value(DROPPED, { reason: 'late' })).toBe(1);
  });

  it('ignores out-of-order events without counting or throwing', async () => {
    const turn = turns.start();
    turn.agentAudioStarted(); // before the user finished: no latency
    turn.interrupted(); // nothing to interrupt yet
    turn.userSpeechEnded();
    turn.userSpeechEnded(); // twice
    fx.clock.advance(200);
    turn.agentAudioStarted();
    turn.agentReplyEnded();
    const data = await fx.collect();
    expect(data.histogram(LATENCY)).toMatchObject({ count: 1, sum: 0.2 });
    expect(data.value(INTERRUPTIONS)).toBe(0);
    expect(data.value(DROPPED, { reason: 'late' })).toBe(0);
  });

  it('drops negative, absurd and non-finite times', async () => {
    const negative = turns.userSpeechEnded(5_000);
    negative.agentAudioStarted(4_000);
    const absurd = turns.userSpeechEnded(0);
    absurd.agentAudioStarted(10 * 60 * 1000);
    for (const value of HOSTILE_VALUES) {
      const turn = turns.start();
      expect(() => turn.userSpeechEnded(value as number)).not.toThrow();
      expect(() => turn.agentAudioStarted(value as number)).not.toThrow();
    }
    const data = await fx.collect();
    // Only finite times form a latency: undefined (now - now), 0 - 0 and -1 - -1; the rest are ignored.
    expect(data.histogram(LATENCY)).toMatchObject({ count: 3, sum: 0 });
  });

  it('start() closes the open turn, and current() tracks the open one', async () => {
    const first = turns.userSpeechEnded();
    expect(turns.current()).toBe(first);
    const second = turns.start();
    expect(first.closed).toBe(true);
    expect(turns.current()).toBe(second);
    first.agentAudioStarted();
    second.end();
    expect(turns.current()).toBeUndefined();
    expect((await fx.collect()).value(DROPPED, { reason: 'late' })).toBe(1);
  });

  it('fails fast on bad configuration', () => {
    expect(() => createVoiceTurns(undefined as never)).toThrow(/options.meter/);
    expect(() => createVoiceTurns({ meter: fx.meter, clock: 'now' as never })).toThrow(/clock/);
    expect(() => createVoiceTurns({ meter: fx.meter, maxLatencySeconds: -1 })).toThrow(/maxLatencySeconds/);
  });
});

describe('voice turns with the TTS wrappers', () => {
  it('marks the first agent audio from an instrumented TTS call inside turn.run()', async () => {
    const fx = meterFixture();
    const sim = await startElevenLabsSim({ firstByteMs: () => (fx.clock.advance(250), 0) });
    try {
      const client = instrumentElevenLabs(new ElevenLabsClient({ apiKey: 'k', baseUrl: sim.url, maxRetries: 0 }), {
        meter: fx.meter,
      });
      const turns = createVoiceTurns({ meter: fx.meter, clock: fx.clock });
      const turn = turns.userSpeechEnded();
      fx.clock.advance(100); // STT final and the LLM's first tokens
      await turn.run(async () => {
        await drain(
          await client.textToSpeech.stream('voice', { text: 'Sure, one moment.', modelId: 'eleven_flash_v2_5' }),
        );
      });
      turn.agentReplyEnded();
      const data = await fx.collect();
      // 100 ms before the TTS request, 250 ms to its first audio.
      expect(data.histogram(LATENCY)).toMatchObject({ count: 1, sum: 0.35 });
      expect(
        data.histogram('agentmeter.tts.time_to_first_audio', { provider: 'elevenlabs', model: 'eleven_flash_v2_5' }),
      ).toMatchObject({ count: 1, sum: 0.25 });
    } finally {
      await sim.close();
      await fx.reader.shutdown();
    }
  });

  it('counts first audio that arrives after its turn closed as late', async () => {
    const fx = meterFixture();
    const turns = createVoiceTurns({ meter: fx.meter, clock: fx.clock });
    const speech = createSpeechTracker({ meter: fx.meter });
    const old = turns.userSpeechEnded();
    let emit: ((bytes: number) => void) | undefined;
    const pending = old.run(() =>
      speech.trackSynthesis({ provider: 'acme', model: 'v1', text: 'hello' }, (call) => {
        emit = (bytes) => call.audio(bytes);
        return Promise.resolve();
      }),
    );
    turns.userSpeechEnded(); // the user spoke again before any audio: the old turn closed
    emit?.(100);
    await pending;
    const data = await fx.collect();
    expect(data.value(DROPPED, { reason: 'late' })).toBe(1);
    expect(data.histogram(LATENCY)).toBeUndefined();
    await fx.reader.shutdown();
  });
});
