import type { AgentMeter } from '@agentmeter/core';
import { instrumentGeminiLive } from '@agentmeter/llm';
import { GoogleGenAI, Modality, type Session } from '@google/genai';

const MODEL = 'gemini-live-2.5-flash-preview';
const TIMEOUT_MS = 8000;
const AUDIO = { data: Buffer.alloc(3200).toString('base64'), mimeType: 'audio/pcm;rate=16000' };

/**
 * One speech-to-speech exchange over a Gemini Live session: the user's audio ends with
 * `audioStreamEnd`, the model answers in audio; when `interrupt` is set the user talks over the
 * answer (an `activityStart` at its first audio). The session, the model turn (tokens, cost), turn
 * latency and the interruption are recorded by `instrumentGeminiLive`.
 */
export async function geminiLiveExchange(
  meter: AgentMeter,
  target: { url: string } | { apiKey: string },
  interrupt: boolean,
): Promise<string> {
  const ai = instrumentGeminiLive(
    'url' in target
      ? new GoogleGenAI({ apiKey: 'AIza-simulated', httpOptions: { baseUrl: target.url } })
      : new GoogleGenAI({ apiKey: target.apiKey }),
    { meter, provider: 'google' },
  );
  let session: Session | undefined;
  let bargeIn = interrupt;
  const { promise: done, resolve: finish, reject: fail } = Promise.withResolvers<string>();
  // A session refused before its turn rejects `done` with nobody awaiting it.
  void done.catch(() => undefined);
  const timer = setTimeout(
    () => fail(Object.assign(new Error('gemini live turn timed out'), { code: 'ETIMEDOUT' })),
    TIMEOUT_MS,
  );
  try {
    session = await ai.live.connect({
      model: MODEL,
      config: { responseModalities: [Modality.AUDIO] },
      callbacks: {
        onmessage: (message) => {
          if (bargeIn && message.serverContent?.modelTurn !== undefined) {
            bargeIn = false;
            session?.sendRealtimeInput({ activityStart: {} });
          }
          if (message.serverContent?.turnComplete === true) finish(interrupt ? 'interrupted' : 'completed');
        },
        onclose: (event) =>
          fail(Object.assign(new Error(`gemini live session closed: ${event.code}`), { code: event.code })),
      },
    });
    session.sendRealtimeInput({ audio: AUDIO });
    session.sendRealtimeInput({ audioStreamEnd: true });
    return await done;
  } finally {
    clearTimeout(timer);
    session?.close();
  }
}
