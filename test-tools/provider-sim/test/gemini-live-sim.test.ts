import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type GeminiLiveSim, startGeminiLiveSim } from '../src/index.ts';

const PATH = '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
let sim: GeminiLiveSim;
beforeEach(async () => {
  sim = await startGeminiLiveSim({ audioChunks: 2, usage: { textIn: 1, audioIn: 2, textOut: 3, audioOut: 4 } });
});
afterEach(() => sim.close());

/** A raw socket on the simulator that collects each server message (JSON in binary frames). */
async function open(key = 'k'): Promise<{
  ws: WebSocket;
  messages: Record<string, unknown>[];
  next: (pred: (m: Record<string, unknown>) => boolean) => Promise<void>;
}> {
  const ws = new WebSocket(`${sim.url.replace('http:', 'ws:')}${PATH}?key=${key}`);
  const messages: Record<string, unknown>[] = [];
  const waiters: { pred: (m: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  ws.on('message', (data, isBinary) => {
    expect(isBinary).toBe(true);
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    messages.push(message);
    for (const waiter of waiters.splice(0)) {
      if (waiter.pred(message)) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  await once(ws, 'open');
  return { ws, messages, next: (pred) => new Promise<void>((resolve) => waiters.push({ pred, resolve })) };
}

const turnComplete = (m: Record<string, unknown>): boolean =>
  (m['serverContent'] as { turnComplete?: boolean } | undefined)?.turnComplete === true;

describe('the Gemini Live simulator speaks BidiGenerateContent', () => {
  it('setup, then an audio turn: ACTIVITY_END, audio parts with transcription, generationComplete, turnComplete with usage by modality', async () => {
    const { ws, messages, next } = await open();
    ws.send(JSON.stringify({ setup: { model: 'models/gemini-live-2.5-flash-preview' } }));
    await next((m) => m['setupComplete'] !== undefined);
    const done = next(turnComplete);
    ws.send(JSON.stringify({ realtimeInput: { audio: { data: 'AAAA', mimeType: 'audio/pcm;rate=16000' } } }));
    ws.send(JSON.stringify({ realtimeInput: { audioStreamEnd: true } }));
    await done;
    ws.close();
    expect(messages.map((m) => Object.keys(m).join('+'))).toEqual([
      'setupComplete',
      'voiceActivity',
      'serverContent',
      'serverContent',
      'serverContent',
      'serverContent',
      'serverContent',
      'serverContent+usageMetadata',
    ]);
    expect(messages[1]).toEqual({ voiceActivity: { voiceActivityType: 'ACTIVITY_END' } });
    expect(messages[6]).toEqual({ serverContent: { generationComplete: true } });
    expect(messages[7]?.['usageMetadata']).toEqual({
      promptTokenCount: 3,
      responseTokenCount: 7,
      totalTokenCount: 10,
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: 1 },
        { modality: 'AUDIO', tokenCount: 2 },
      ],
      responseTokensDetails: [
        { modality: 'TEXT', tokenCount: 3 },
        { modality: 'AUDIO', tokenCount: 4 },
      ],
    });
    expect(sim.setups).toEqual([{ model: 'models/gemini-live-2.5-flash-preview' }]);
  });

  it('an activityStart during a turn interrupts it: interrupted, then turnComplete, no generationComplete', async () => {
    const slow = await startGeminiLiveSim({ audioChunks: 5, chunkMs: 10 });
    const previous = sim;
    sim = slow;
    try {
      const { ws, messages, next } = await open();
      ws.send(JSON.stringify({ setup: { model: 'models/m' } }));
      await next((m) => m['setupComplete'] !== undefined);
      const firstAudio = next(
        (m) => (m['serverContent'] as { modelTurn?: unknown } | undefined)?.modelTurn !== undefined,
      );
      const done = next(turnComplete);
      ws.send(
        JSON.stringify({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'hi' }] }], turnComplete: true } }),
      );
      await firstAudio;
      ws.send(JSON.stringify({ realtimeInput: { activityStart: {} } }));
      await done;
      ws.close();
      const contents = messages.map((m) => m['serverContent'] as Record<string, unknown> | undefined);
      expect(contents.some((c) => c?.['interrupted'] === true)).toBe(true);
      expect(contents.some((c) => c?.['generationComplete'] === true)).toBe(false);
      expect(contents.filter((c) => c?.['modelTurn'] !== undefined).length).toBeLessThan(5);
    } finally {
      sim = previous;
      await slow.close();
    }
  });

  it('closes as the Live API does: 1008 for a wrong key, 1007 for a setup without a model or a frame that is not JSON', async () => {
    for (const [key, frame, code] of [
      ['bad-key', JSON.stringify({ setup: { model: 'models/m' } }), 1008],
      ['k', JSON.stringify({ setup: {} }), 1007],
      ['k', '{not json', 1007],
    ] as const) {
      const { ws } = await open(key);
      const closed = once(ws, 'close');
      ws.send(frame);
      const [closeCode] = (await closed) as [number, Buffer];
      expect(closeCode).toBe(code);
    }
  });
});
