import type { AgentMeter } from '@agentmeter/core';
import { instrumentRealtimeSession } from '@agentmeter/llm/openai-agents-realtime';
import { LOOPBACK_TLS_CERT } from '@agentmeter/provider-sim';
import { OpenAIRealtimeWebSocket, RealtimeAgent, RealtimeSession } from '@openai/agents-realtime';
import WebSocket from 'ws';

const MODEL = 'gpt-realtime';
const TIMEOUT_MS = 8000;

/** The Agents SDK's WebSocket transport, to the simulator (trusting its loopback certificate) or the API. */
function transportFor(target: { url: string } | { apiKey: string }): OpenAIRealtimeWebSocket {
  if (!('url' in target)) return new OpenAIRealtimeWebSocket();
  return new OpenAIRealtimeWebSocket({
    url: `${target.url.replace('https:', 'wss:')}/v1/realtime?model=${MODEL}`,
    createWebSocket: async ({ url, apiKey }) =>
      new WebSocket(url, { ca: LOOPBACK_TLS_CERT, headers: { Authorization: `Bearer ${apiKey}` } }) as never,
  });
}

/**
 * The same speech-to-speech exchange as `realtimeExchange`, through the OpenAI Agents SDK: a
 * `RealtimeSession` of a `RealtimeAgent`, recorded by `instrumentRealtimeSession`. With
 * `interrupt` the user barges in at the answer's first audio (`session.interrupt()`).
 */
export async function agentsRealtimeExchange(
  meter: AgentMeter,
  target: { url: string } | { apiKey: string },
  interrupt: boolean,
): Promise<string> {
  const agent = new RealtimeAgent({ name: 'Crew member', instructions: 'Answer the crew briefly.' });
  const session = instrumentRealtimeSession(
    new RealtimeSession(agent, { transport: transportFor(target), model: MODEL }),
    { meter, provider: 'openai' },
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    await session.connect({ apiKey: 'url' in target ? 'sk-simulated' : target.apiKey });
    return await new Promise<string>((resolve, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error('realtime response timed out'), { code: 'ETIMEDOUT' })),
        TIMEOUT_MS,
      );
      session.on('error', (event) =>
        reject(event.error instanceof Error ? event.error : new Error('realtime session error')),
      );
      session.on('transport_event', (event) => {
        const raw = event as { type: string; response?: { status?: string } };
        if (raw.type === 'response.done') resolve(raw.response?.status ?? 'unknown');
      });
      if (interrupt) session.once('audio_start', () => session.interrupt());
      session.sendAudio(new ArrayBuffer(3200), { commit: true });
      session.transport.sendEvent({ type: 'response.create' });
    });
  } finally {
    clearTimeout(timer);
    session.close();
  }
}
