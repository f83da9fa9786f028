import type { AgentMeter } from '@agentmeter/core';
import { instrumentOpenAIRealtime } from '@agentmeter/llm';
import { LOOPBACK_TLS_CERT } from '@agentmeter/provider-sim';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';

const MODEL = 'gpt-realtime';
const TIMEOUT_MS = 8000;

/**
 * One speech-to-speech exchange over an OpenAI Realtime session: the user's audio is committed,
 * the model answers in audio; when `interrupt` is set the user talks over the answer (the response
 * is cancelled at its first audio). The session, the response (tokens, cost), turn latency and the
 * interruption are recorded by `instrumentOpenAIRealtime`.
 */
export async function realtimeExchange(
  meter: AgentMeter,
  target: { url: string } | { apiKey: string },
  interrupt: boolean,
): Promise<string> {
  const openai =
    'url' in target
      ? new OpenAI({ apiKey: 'sk-simulated', baseURL: `${target.url}/v1` })
      : new OpenAI({ apiKey: target.apiKey });
  const options = 'url' in target ? { ca: LOOPBACK_TLS_CERT } : undefined;
  const rt = instrumentOpenAIRealtime(new OpenAIRealtimeWS({ model: MODEL, options }, openai), {
    meter,
    provider: 'openai',
  });
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(Object.assign(new Error('realtime response timed out'), { code: 'ETIMEDOUT' })),
        TIMEOUT_MS,
      );
      rt.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      rt.on('response.done', (event) => {
        clearTimeout(timer);
        resolve(event.response.status ?? 'unknown');
      });
      if (interrupt) rt.once('response.output_audio.delta', () => rt.send({ type: 'response.cancel' }));
      rt.socket.once('open', () => {
        rt.send({ type: 'input_audio_buffer.append', audio: Buffer.alloc(3200).toString('base64') });
        rt.send({ type: 'input_audio_buffer.commit' });
        rt.send({ type: 'response.create' });
      });
    });
  } finally {
    rt.close();
  }
}
