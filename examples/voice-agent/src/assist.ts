import type { AgentMeter } from '@agentmeter/core';
import { agentmeterMiddleware, instrumentAiTools } from '@agentmeter/llm/ai-sdk';
import type { AnthropicProvider } from '@ai-sdk/anthropic';
import type { OpenAIProvider } from '@ai-sdk/openai';
import { generateText, jsonSchema, type LanguageModelMiddleware, stepCountIs, tool, wrapLanguageModel } from 'ai';
import type { Agent } from './agent.ts';
import type { Character } from './characters.ts';

/** The AI SDK providers of the demo, pointed at the simulator or the real APIs. */
export interface AiProviders {
  readonly openai: OpenAIProvider;
  readonly anthropic: AnthropicProvider;
  /** The AI SDK's retries per call: none against the simulator, so every fault shows. */
  readonly maxRetries: number;
}

/**
 * An assistant built on the AI SDK: `generateText` with a scene-facts tool, up to three steps.
 * Its model calls (steps, tool calls, tokens, cost) and tool runs are recorded by
 * `@agentmeter/llm/ai-sdk`, on the same llm families as the provider clients.
 */
export class Assistant {
  readonly #ai: AiProviders;
  readonly #middleware: LanguageModelMiddleware;
  readonly #tools;

  constructor(ai: AiProviders, meter: AgentMeter, agent: Agent) {
    this.#ai = ai;
    // One middleware for every model: its series and prices are shared across calls.
    this.#middleware = agentmeterMiddleware({ meter });
    this.#tools = instrumentAiTools(
      {
        scene_facts: tool({
          description: 'Facts about a scene of the story, from the knowledge base.',
          inputSchema: jsonSchema<{ scene: string; topic: string }>({
            type: 'object',
            properties: { scene: { type: 'string' }, topic: { type: 'string' } },
            required: ['scene', 'topic'],
          }),
          execute: async ({ scene, topic }) => (await agent.lookup(scene, topic)) ?? 'No facts found.',
        }),
      },
      { meter },
    );
  }

  async answer(character: Character, question: string, signal?: AbortSignal): Promise<{ text: string; steps: number }> {
    const { provider, model } = character.llm;
    const base = provider === 'openai' ? this.#ai.openai.chat(model) : this.#ai.anthropic(model);
    const result = await generateText({
      model: wrapLanguageModel({ model: base, middleware: this.#middleware }),
      system: `${character.persona} You are in the ${character.scene} scene. Use scene_facts when asked about the scene.`,
      prompt: question,
      tools: this.#tools,
      stopWhen: stepCountIs(3),
      maxRetries: this.#ai.maxRetries,
      abortSignal: signal,
    });
    return { text: result.text, steps: result.steps.length };
  }
}
