import type { AgentMeter } from '@agentmeter/core';
import { toFile } from 'openai';
import type { Character } from './characters.ts';
import type { Providers } from './providers.ts';
import type { Cache } from './store.ts';

export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

const RAW_PCM = { container: 'raw', encoding: 'pcm_s16le', sample_rate: 16000 } as const;

/**
 * The agent's provider work. Each call goes through an instrumented client, so the LLM, TTS and
 * STT metrics (latency, first token or audio, tokens, characters, audio seconds, cost, errors by
 * type) come from the wrappers; this file only does what the service would do anyway.
 */
export class Agent {
  readonly #providers: Providers;
  readonly #meter: AgentMeter;
  readonly #cache: Cache;

  constructor(providers: Providers, meter: AgentMeter, cache: Cache) {
    this.#providers = providers;
    this.#meter = meter;
    this.#cache = cache;
  }

  /** Streams the character's reply; `onText` gets each text delta as it arrives. */
  async reply(
    character: Character,
    history: readonly ChatMessage[],
    signal?: AbortSignal,
    onText?: (delta: string) => void,
  ): Promise<string> {
    const system = `${character.persona} Answer in one or two short sentences.`;
    let text = '';
    if (character.llm.provider === 'openai') {
      const stream = await this.#providers.openai.chat.completions.create(
        {
          model: character.llm.model,
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'system', content: system }, ...history],
        },
        { signal },
      );
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta?.content ?? '';
        if (delta !== '') onText?.(delta);
        text += delta;
      }
      return text;
    }
    const stream = await this.#providers.anthropic.messages.create(
      { model: character.llm.model, max_tokens: 300, system, stream: true, messages: [...history] },
      { signal },
    );
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        onText?.(event.delta.text);
        text += event.delta.text;
      }
    }
    return text;
  }

  /** A whole answer in one response (no streaming), for content generation. */
  async complete(character: Character, prompt: string): Promise<string> {
    if (character.llm.provider === 'openai') {
      const response = await this.#providers.openai.chat.completions.create({
        model: character.llm.model,
        messages: [
          { role: 'system', content: character.persona },
          { role: 'user', content: prompt },
        ],
      });
      return response.choices[0]?.message.content ?? '';
    }
    const message = await this.#providers.anthropic.messages.create({
      model: character.llm.model,
      max_tokens: 800,
      system: character.persona,
      messages: [{ role: 'user', content: prompt }],
    });
    return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  }

  /** Speaks `text` in the character's voice, handing each audio chunk to `onAudio`; returns the bytes sent. */
  async speak(
    character: Character,
    text: string,
    onAudio: (chunk: Uint8Array) => void,
    signal?: AbortSignal,
  ): Promise<number> {
    const { tts } = character;
    const body =
      tts.provider === 'elevenlabs'
        ? await this.#providers.elevenlabs.textToSpeech.stream(
            tts.voice,
            { text, modelId: tts.model, outputFormat: 'pcm_16000' },
            { abortSignal: signal },
          )
        : (
            await this.#providers.cartesia.tts.generate(
              { model_id: tts.model, transcript: text, voice: { mode: 'id', id: tts.voice }, output_format: RAW_PCM },
              { signal },
            )
          ).body;
    let bytes = 0;
    if (body === null) return bytes;
    for await (const chunk of body) {
      bytes += chunk.byteLength;
      onAudio(chunk);
    }
    return bytes;
  }

  /** Transcribes a WAV recording with the character's speech-to-text provider. */
  async transcribe(character: Character, wav: Buffer): Promise<string> {
    if (character.stt.provider === 'deepgram') {
      const result = await this.#providers.deepgram.listen.v1.media.transcribeFile(wav, { model: character.stt.model });
      return 'results' in result ? (result.results.channels[0]?.alternatives?.[0]?.transcript ?? '') : '';
    }
    const transcription = await this.#providers.openaiAudio.audio.transcriptions.create({
      file: await toFile(wav, 'speech.wav', { type: 'audio/wav' }),
      model: character.stt.model,
    });
    return transcription.text;
  }

  /**
   * Looks the question's topic up in the knowledge base (an external API), through the cache.
   * Returns undefined when there is no knowledge base or it failed (the agent answers anyway).
   */
  async lookup(scene: string, topic: string): Promise<string | undefined> {
    const url = this.#providers.knowledgeUrl;
    if (url === undefined) return undefined;
    const key = `kb:${scene}:${topic}`;
    const cached = await this.#cache.get(key);
    if (cached !== null) return cached;
    try {
      const found = await this.#meter.trackExternalApi({ service: 'knowledge_base', endpoint: 'search' }, async () => {
        const response = await fetch(
          `${url}/v1/search?scene=${encodeURIComponent(scene)}&topic=${encodeURIComponent(topic)}`,
          {
            signal: AbortSignal.timeout(2000),
          },
        );
        if (!response.ok)
          throw Object.assign(new Error(`knowledge base answered ${response.status}`), { status: response.status });
        return response.text();
      });
      await this.#cache.set(key, found, 20);
      return found;
    } catch (error) {
      this.#meter.trackError(error, { component: 'knowledge_base' });
      return undefined;
    }
  }
}
