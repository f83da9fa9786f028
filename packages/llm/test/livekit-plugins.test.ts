import { createPricingTable } from '@agentmeter/core';
import { APIStatusError, DEFAULT_API_CONNECT_OPTIONS, initializeLogger, llm, tts, voice } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentLiveKitSession } from '../src/livekit/index.ts';
import { type Harness, startHarness } from './harness.ts';

initializeLogger({ pretty: false, level: 'fatal' });

const SAMPLE_RATE = 24_000;

/** A TTS as a LiveKit plugin writes one: 100 ms of silence per frame, `frames` frames; or a 429. */
class SilentTTS extends tts.TTS {
  label = 'test.SilentTTS';
  readonly frames: number;
  readonly rateLimited: boolean;
  constructor(frames: number, rateLimited = false) {
    super(SAMPLE_RATE, 1, { streaming: false });
    this.frames = frames;
    this.rateLimited = rateLimited;
  }
  override get provider(): string {
    return 'cartesia';
  }
  override get model(): string {
    return 'sonic-2';
  }
  synthesize(text: string): tts.ChunkedStream {
    return new SilentStream(text, this);
  }
  stream(): tts.SynthesizeStream {
    throw new Error('not streaming');
  }
}

class SilentStream extends tts.ChunkedStream {
  label = 'test.SilentStream';
  readonly #tts: SilentTTS;
  constructor(text: string, owner: SilentTTS) {
    super(text, owner);
    this.#tts = owner;
  }
  protected async run(): Promise<void> {
    if (this.#tts.rateLimited)
      throw new APIStatusError({ message: 'Too many requests', options: { statusCode: 429, retryable: false } });
    for (let i = 0; i < this.#tts.frames; i++) {
      const samples = SAMPLE_RATE / 10;
      this.queue.put({
        requestId: 'req_1',
        segmentId: 'seg_1',
        frame: new AudioFrame(new Int16Array(samples), SAMPLE_RATE, 1, samples),
        final: i === this.#tts.frames - 1,
      });
    }
  }
}

/** An LLM as a plugin writes one: streams three text chunks, then the usage. */
class WordsLLM extends llm.LLM {
  label(): string {
    return 'test.WordsLLM';
  }
  override get provider(): string {
    return 'openai';
  }
  override get model(): string {
    return 'gpt-4o-mini';
  }
  chat({ chatCtx }: { chatCtx: llm.ChatContext }): llm.LLMStream {
    return new WordsStream(this, { chatCtx, connOptions: DEFAULT_API_CONNECT_OPTIONS });
  }
}

class WordsStream extends llm.LLMStream {
  protected async run(): Promise<void> {
    for (const word of ['Aye, ', 'captain', '.'])
      this.queue.put({ id: 'chunk', delta: { role: 'assistant', content: word } });
    this.queue.put({
      id: 'chunk',
      usage: { promptTokens: 120, promptCachedTokens: 20, completionTokens: 3, totalTokens: 123 },
    });
  }
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('LiveKit agents-js: metrics LiveKit itself computes, from plugin-style LLM and TTS on a real AgentSession', () => {
  it('a chat completion: one call with its time to first token, tokens and cost, as LiveKit measured them', async () => {
    const model = new WordsLLM();
    const pricing = createPricingTable(undefined, { file: false });
    const session = instrumentLiveKitSession(new voice.AgentSession({ llm: model }), { meter: h.meter, pricing });
    const reported: unknown[] = [];
    session.on(voice.AgentSessionEventTypes.MetricsCollected, (event) => reported.push(event.metrics));
    await session.start({ agent: new voice.Agent({ instructions: 'x' }) });
    const reply = await model.chat({ chatCtx: llm.ChatContext.empty() }).collect();
    await new Promise((resolve) => setImmediate(resolve));
    await session.close();
    expect(reply.text).toBe('Aye, captain.');
    expect(reported).toMatchObject([
      { type: 'llm_metrics', promptTokens: 120, promptCachedTokens: 20, completionTokens: 3, cancelled: false },
    ]);

    const m = await h.collect();
    const gpt = { provider: 'openai', model: 'gpt-4o-mini' };
    expect(m.value('llm.requests', { ...gpt, operation: 'chat', status: 'success' })).toBe(1);
    expect(m.histogram('llm.latency', { ...gpt, operation: 'chat' })?.count).toBe(1);
    expect(m.histogram('llm.time_to_first_token', gpt)?.count).toBe(1);
    expect(m.value('llm.tokens', { ...gpt, token_type: 'input' })).toBe(100);
    expect(m.value('llm.tokens', { ...gpt, token_type: 'cached_input' })).toBe(20);
    expect(m.value('llm.tokens', { ...gpt, token_type: 'output' })).toBe(3);
    const usd = pricing.cost({ ...gpt, input: 100, cached_input: 20, output: 3 });
    expect(usd).toBeGreaterThan(0);
    expect(m.total('api.cost.usd', { ...gpt, service: 'llm' })).toBeCloseTo(usd!, 12);
  });

  it('a synthesis: requests, latency, time to first audio, characters and audio seconds as LiveKit measured them', async () => {
    const voiceTts = new SilentTTS(3);
    const session = instrumentLiveKitSession(new voice.AgentSession({ tts: voiceTts }), { meter: h.meter });
    const reported: unknown[] = [];
    session.on(voice.AgentSessionEventTypes.MetricsCollected, (event) => reported.push(event.metrics));
    await session.start({ agent: new voice.Agent({ instructions: 'x' }) });
    const frame = await voiceTts.synthesize('Hello crew').collect();
    await new Promise((resolve) => setImmediate(resolve));
    await session.close();
    expect(frame.samplesPerChannel).toBe(3 * 2400);
    expect(reported).toMatchObject([
      { type: 'tts_metrics', charactersCount: 10, audioDurationMs: 300, streamed: false },
    ]);

    const m = await h.collect();
    const sonic = { provider: 'cartesia', model: 'sonic-2' };
    expect(m.value('tts.requests', { ...sonic, status: 'success' })).toBe(1);
    expect(m.histogram('tts.latency', { ...sonic, status: 'success' })?.count).toBe(1);
    expect(m.histogram('tts.time_to_first_audio', sonic)?.count).toBe(1);
    expect(m.value('tts.characters', sonic)).toBe(10);
    expect(m.value('tts.audio', sonic)).toBeCloseTo(0.3, 9);
    expect(m.value('sessions')).toBe(1);
  });

  it('a failed synthesis reaches the session as an error event: counted as a TTS rate limit, labelled from its source', async () => {
    const voiceTts = new SilentTTS(1, true);
    const session = instrumentLiveKitSession(new voice.AgentSession({ tts: voiceTts }), { meter: h.meter });
    const errors: unknown[] = [];
    session.on(voice.AgentSessionEventTypes.Error, (event) => errors.push(event.error.type));
    await session.start({ agent: new voice.Agent({ instructions: 'x' }) });
    // LiveKit 1.9 leaves the failed synthesis's own task rejection unhandled: the test takes it.
    const unhandled: unknown[] = [];
    const take = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', take);
    try {
      await expect(voiceTts.synthesize('Hello crew').collect()).rejects.toThrow();
      for (let waited = 0; unhandled.length === 0 && waited < 5000; waited += 10)
        await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('unhandledRejection', take);
    }
    await session.close();
    expect(unhandled).toMatchObject([{ statusCode: 429 }]);
    expect(errors).toEqual(['tts_error']);
    const m = await h.collect();
    expect(m.value('tts.errors', { provider: 'cartesia', model: 'sonic-2', error_type: 'rate_limit' })).toBe(1);
    expect(m.value('errors', { error_type: 'rate_limit', component: 'tts' })).toBe(1);
  });
});
