import Anthropic from '@anthropic-ai/sdk';
import type { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { createAgentMeter } from '@agentmeter/core';
import OpenAI from 'openai';
import type { APIPromise } from 'openai/core/api-promise';
import type { Stream } from 'openai/core/streaming';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expectTypeOf, it } from 'vitest';
import { instrumentAnthropic, instrumentGoogleGenAI, instrumentLlmFunction, instrumentOpenAI } from '../src/index.ts';

const meter = createAgentMeter();
const call = async (prompt: string, n: number): Promise<{ text: string }> => ({ text: prompt.repeat(n) });

describe('wrapped clients keep their exact types', () => {
  it('openai', () => {
    const openai = instrumentOpenAI(new OpenAI({ apiKey: 'x' }), { meter });
    expectTypeOf(openai).toEqualTypeOf<OpenAI>();
    expectTypeOf(openai.chat.completions.create).toEqualTypeOf<OpenAI['chat']['completions']['create']>();
    // Arrow functions: the types are checked, the calls never made.
    expectTypeOf(() =>
      openai.chat.completions.create({ model: 'm', messages: [], stream: true }),
    ).returns.toEqualTypeOf<APIPromise<Stream<ChatCompletionChunk>>>();
    expectTypeOf(() => openai.chat.completions.create({ model: 'm', messages: [] })).returns.toEqualTypeOf<
      APIPromise<ChatCompletion>
    >();
    expectTypeOf(() =>
      openai.chat.completions.create({ model: 'm', messages: [] }).withResponse(),
    ).returns.toEqualTypeOf<ReturnType<APIPromise<ChatCompletion>['withResponse']>>();
  });

  it('@anthropic-ai/sdk', () => {
    const anthropic = instrumentAnthropic(new Anthropic({ apiKey: 'x' }), { meter });
    expectTypeOf(anthropic).toEqualTypeOf<Anthropic>();
    expectTypeOf(anthropic.messages.stream).toEqualTypeOf<Anthropic['messages']['stream']>();
    expectTypeOf(() => anthropic.messages.stream({ model: 'm', max_tokens: 1, messages: [] })).returns.toEqualTypeOf<
      MessageStream<null>
    >();
  });

  it('@google/genai', () => {
    const ai = instrumentGoogleGenAI(new GoogleGenAI({ apiKey: 'x' }), { meter });
    expectTypeOf(ai).toEqualTypeOf<GoogleGenAI>();
    expectTypeOf(ai.models.generateContent).returns.toEqualTypeOf<Promise<GenerateContentResponse>>();
  });

  it('a generic function', () => {
    const wrapped = instrumentLlmFunction(call, { meter, provider: 'cohere', model: 'command-r' });
    expectTypeOf(wrapped).toEqualTypeOf<(prompt: string, n: number) => Promise<{ text: string }>>();
  });
});
