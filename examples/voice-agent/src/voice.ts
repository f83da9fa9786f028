import { randomUUID } from 'node:crypto';
import type { AgentMeter } from '@agentmeter/core';
import { createVoiceTurns, type VoiceTurn } from '@agentmeter/speech';
import type { WebSocket } from 'ws';
import type { Agent, ChatMessage } from './agent.ts';
import { type Character, intentOf } from './characters.ts';
import type { Database } from './store.ts';

/** Messages a client sends; audio arrives as binary frames before `end_of_speech`. */
type ClientMessage = { type: 'end_of_speech'; utterance: number } | { type: 'interrupt' };

const MAX_AUDIO_BYTES = 2_000_000;
const REMEMBERED_TURNS = 8;

/**
 * One voice session over a WebSocket: for each utterance, speech-to-text, a streamed LLM reply
 * and streamed text-to-speech, inside a voice turn (turn latency from the end of user speech to
 * the first agent audio). Clients that resend an utterance produce the dropped-event metrics
 * (`duplicate_final` while the turn runs, `late` after it ended); a barge-in interrupts the turn.
 */
export function runVoiceSession(
  ws: WebSocket,
  character: Character,
  agent: Agent,
  db: Database,
  meter: AgentMeter,
): void {
  const session = randomUUID();
  const turns = createVoiceTurns({ meter });
  const byUtterance = new Map<number, VoiceTurn>();
  const history: ChatMessage[] = [];
  let audio: Buffer[] = [];
  let audioBytes = 0;
  let current: AbortController | undefined;
  let completed = 0;

  const send = (message: Record<string, unknown>): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };

  const runTurn = async (utterance: number, wav: Buffer): Promise<void> => {
    const turn = turns.userSpeechEnded();
    byUtterance.set(utterance, turn);
    if (byUtterance.size > REMEMBERED_TURNS) byUtterance.delete(byUtterance.keys().next().value!);
    const abort = new AbortController();
    current = abort;
    const started = performance.now();
    try {
      const transcript = await agent.transcribe(character, wav);
      turn.finalTranscript();
      const intent = intentOf(transcript);
      if (intent === 'question' || intent === 'navigation') await agent.lookup(character.scene, intent);
      history.push({ role: 'user', content: transcript || '(silence)' });
      const text = await agent.reply(character, history.slice(-6), abort.signal);
      send({ type: 'agent_text', utterance, text });
      await turn.run(() =>
        agent.speak(
          character,
          text,
          (chunk) => {
            if (ws.readyState === ws.OPEN) ws.send(chunk);
          },
          abort.signal,
        ),
      );
      turn.agentReplyEnded();
      history.push({ role: 'assistant', content: text });
      await db.transaction(async (query) => {
        await query('INSERT INTO va_messages (session, character, role, content) VALUES ($1, $2, $3, $4)', [
          session,
          character.id,
          'user',
          transcript,
        ]);
        await query('INSERT INTO va_messages (session, character, role, content) VALUES ($1, $2, $3, $4)', [
          session,
          character.id,
          'assistant',
          text,
        ]);
      });
      completed++;
      // An example quality heuristic: full marks for a reply within a second, less as it gets slower.
      const seconds = (performance.now() - started) / 1000;
      meter.recordConversationExchange({ intent }, { quality: Math.max(0, Math.min(1, 1 - (seconds - 1) / 4)) });
      send({ type: 'agent_done', utterance });
    } catch (error) {
      if (abort.signal.aborted) return;
      turn.end();
      const errorType = meter.trackError(error, { component: 'voice' });
      send({ type: 'error', utterance, error_type: errorType });
    } finally {
      if (current === abort) current = undefined;
    }
  };

  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      const chunk = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
      audioBytes += chunk.byteLength;
      if (audioBytes > MAX_AUDIO_BYTES) {
        ws.close(1009, 'utterance too long');
        return;
      }
      audio.push(chunk);
      return;
    }
    let message: ClientMessage;
    try {
      message = JSON.parse(String(data)) as ClientMessage;
    } catch {
      send({ type: 'error', error_type: 'validation_error' });
      return;
    }
    if (message.type === 'interrupt') {
      const turn = turns.current();
      current?.abort();
      turn?.interrupted();
      return;
    }
    if (message.type === 'end_of_speech' && Number.isInteger(message.utterance)) {
      const seen = byUtterance.get(message.utterance);
      if (seen !== undefined) {
        // A resent utterance: counted as a duplicate final (turn still running) or late (turn over).
        seen.finalTranscript();
        return;
      }
      const wav = Buffer.concat(audio);
      audio = [];
      audioBytes = 0;
      void runTurn(message.utterance, wav);
    }
  });

  ws.once('close', () => {
    current?.abort();
    turns.current()?.end();
    // Engagement: how far the session got, as a share of a four-turn conversation.
    meter.recordEngagement(Math.min(1, completed / 4));
  });
  send({ type: 'ready', session, character: character.id, scene: character.scene });
}
