import Anthropic from '@anthropic-ai/sdk';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import Cartesia from '@cartesia/cartesia-js';
import { DeepgramClient } from '@deepgram/sdk';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import type { AgentMeter } from '@agentmeter/core';
import { instrumentAnthropic, instrumentOpenAI } from '@agentmeter/llm';
import {
  instrumentCartesia,
  instrumentDeepgram,
  instrumentElevenLabs,
  instrumentOpenAIAudio,
} from '@agentmeter/speech';
import OpenAI from 'openai';
import type { AiProviders } from './assist.ts';
import type { ServiceConfig } from './config.ts';

/** Every provider client the agent uses, each wrapped by its agentmeter package (same objects, same types). */
export interface Providers {
  readonly openai: OpenAI;
  readonly anthropic: Anthropic;
  /** OpenAI audio (whisper), a separate client: in the demo it lives on another simulator. */
  readonly openaiAudio: OpenAI;
  readonly elevenlabs: ElevenLabsClient;
  readonly cartesia: Cartesia;
  readonly deepgram: DeepgramClient;
  /** The same LLM providers through the AI SDK (the assistant's route). */
  readonly ai: AiProviders;
  /** Base URL of the knowledge-base API, or undefined when there is none (real providers only). */
  readonly knowledgeUrl: string | undefined;
  /** Which providers are simulated, for the start-up banner. */
  readonly simulated: readonly string[];
}

// Against the simulator no retries, so every injected fault shows on the dashboards; with real
// providers the SDKs' own retry defaults apply. Short timeouts make simulated hangs end as `timeout`.
const SIM = { maxRetries: 0, timeoutMs: 8000 } as const;

export function createProviders(config: ServiceConfig, meter: AgentMeter): Providers {
  const { keys, simulator } = config;
  const simulated: string[] = [];
  const sim = <T>(provider: keyof ServiceConfig['keys'], url: string | undefined): T | undefined => {
    if (keys[provider] !== undefined || url === undefined) return undefined;
    simulated.push(provider);
    return url as T;
  };
  const openaiUrl = sim<string>('openai', simulator?.llm);
  const anthropicUrl = sim<string>('anthropic', simulator?.llm);
  const elevenlabsUrl = sim<string>('elevenlabs', simulator?.elevenlabs);
  const cartesiaUrl = sim<string>('cartesia', simulator?.cartesia);
  const deepgramUrl = sim<string>('deepgram', simulator?.deepgram);
  const openaiAudioUrl = keys.openai === undefined ? simulator?.openaiAudio : undefined;

  const openai = new OpenAI(
    openaiUrl === undefined
      ? { apiKey: keys.openai }
      : { apiKey: 'sk-simulated', baseURL: `${openaiUrl}/v1`, maxRetries: SIM.maxRetries, timeout: SIM.timeoutMs },
  );
  const openaiAudio = new OpenAI(
    openaiAudioUrl === undefined
      ? { apiKey: keys.openai }
      : { apiKey: 'sk-simulated', baseURL: `${openaiAudioUrl}/v1`, maxRetries: SIM.maxRetries, timeout: SIM.timeoutMs },
  );
  const anthropic = new Anthropic(
    anthropicUrl === undefined
      ? { apiKey: keys.anthropic }
      : { apiKey: 'sk-ant-simulated', baseURL: anthropicUrl, maxRetries: SIM.maxRetries, timeout: SIM.timeoutMs },
  );
  const elevenlabs = new ElevenLabsClient(
    elevenlabsUrl === undefined
      ? { apiKey: keys.elevenlabs }
      : {
          apiKey: 'simulated',
          baseUrl: elevenlabsUrl,
          maxRetries: SIM.maxRetries,
          timeoutInSeconds: SIM.timeoutMs / 1000,
        },
  );
  const cartesia = new Cartesia(
    cartesiaUrl === undefined
      ? { apiKey: keys.cartesia }
      : { apiKey: 'sk_car_simulated', baseURL: cartesiaUrl, maxRetries: SIM.maxRetries, timeout: SIM.timeoutMs },
  );
  const deepgramWs = deepgramUrl?.replace('http', 'ws');
  const deepgram = new DeepgramClient(
    deepgramUrl === undefined || deepgramWs === undefined
      ? { apiKey: keys.deepgram }
      : {
          apiKey: 'simulated',
          environment: { base: deepgramUrl, production: deepgramWs, agent: deepgramWs, agentRest: deepgramUrl },
          maxRetries: SIM.maxRetries,
          timeoutInSeconds: SIM.timeoutMs / 1000,
        },
  );

  const ai: AiProviders = {
    openai: createOpenAI(
      openaiUrl === undefined ? { apiKey: keys.openai } : { apiKey: 'sk-simulated', baseURL: `${openaiUrl}/v1` },
    ),
    anthropic: createAnthropic(
      anthropicUrl === undefined
        ? { apiKey: keys.anthropic }
        : { apiKey: 'sk-ant-simulated', baseURL: `${anthropicUrl}/v1` },
    ),
    maxRetries: openaiUrl === undefined && anthropicUrl === undefined ? 2 : SIM.maxRetries,
  };

  // The provider label is explicit: against the loopback simulator it would otherwise read `local`.
  return {
    openai: instrumentOpenAI(openai, { meter, provider: 'openai' }),
    anthropic: instrumentAnthropic(anthropic, { meter }),
    openaiAudio: instrumentOpenAIAudio(openaiAudio, { meter }),
    elevenlabs: instrumentElevenLabs(elevenlabs, { meter }),
    cartesia: instrumentCartesia(cartesia, { meter }),
    deepgram: instrumentDeepgram(deepgram, { meter }),
    ai,
    knowledgeUrl: simulator?.knowledge,
    simulated,
  };
}
