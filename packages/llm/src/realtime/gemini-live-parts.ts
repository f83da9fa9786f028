import type { ErrorType, TokenUsage } from '@agentmeter/core';
import { count, modality, object, usageOf } from '../usage.ts';

/**
 * A Gemini Live `usageMetadata` (BidiGenerateContent): prompt tokens (cache reads and tool-use
 * prompt tokens included) with their audio part, response tokens with theirs, thoughts billed as
 * output. The Live API names the output `responseTokenCount` where generateContent says `candidatesTokenCount`.
 */
export function geminiLiveUsage(raw: unknown): TokenUsage | undefined {
  const u = object(raw);
  if (u === undefined || u === null) return undefined;
  const prompt = count(u.promptTokenCount);
  const toolPrompt = count(u.toolUsePromptTokenCount);
  const response = count(u.responseTokenCount) ?? count(u.candidatesTokenCount);
  const thoughts = count(u.thoughtsTokenCount);
  const promptAudio = modality(u.promptTokensDetails, 'AUDIO');
  const toolAudio = modality(u.toolUsePromptTokensDetails, 'AUDIO');
  const cachedAudio = modality(u.cacheTokensDetails, 'AUDIO') ?? 0;
  const inputAudio =
    promptAudio === undefined && toolAudio === undefined
      ? undefined
      : Math.max(0, (promptAudio ?? 0) + (toolAudio ?? 0) - cachedAudio);
  return usageOf({
    total: prompt === undefined && toolPrompt === undefined ? undefined : (prompt ?? 0) + (toolPrompt ?? 0),
    read: count(u.cachedContentTokenCount),
    inputAudio,
    output: response === undefined && thoughts === undefined ? undefined : (response ?? 0) + (thoughts ?? 0),
    reasoning: thoughts,
    outputAudio: modality(u.responseTokensDetails, 'AUDIO') ?? modality(u.candidatesTokensDetails, 'AUDIO'),
  });
}

/**
 * The taxonomy type of a Live API WebSocket close, or undefined for a normal one. The Live API
 * closes with the gRPC status in the reason: 1007 for an invalid argument, 1008 for a policy or
 * permission failure (a wrong API key among them), 1011 for internal errors and exhausted quota.
 * 1001 after the server's `goAway` is the announced end of the session, not a failure.
 */
export function geminiCloseErrorType(
  code: unknown,
  reason: unknown,
  opened: boolean,
  goAway: boolean,
): ErrorType | undefined {
  const text = typeof reason === 'string' ? reason.slice(0, 500) : '';
  if (code === 1000 || code === 1005 || (code === 1001 && goAway)) return undefined;
  if (code === 1007 || code === 1003 || code === 1009) return 'bad_request';
  if (code === 1008) return /api.?key|permission|unauthenticated|credential|auth/i.test(text) ? 'auth' : 'bad_request';
  if (code === 1011) {
    if (/quota|resource.?exhausted|rate.?limit/i.test(text)) return 'rate_limit';
    if (/deadline|time.?out|timed out/i.test(text)) return 'timeout';
    return 'server_error';
  }
  if (code === 1012 || code === 1013 || code === 1014) return 'server_error';
  // 1006 (dropped without a close frame) and anything else: the stream was cut, or never opened.
  return opened ? 'stream_error' : 'connection';
}

/** What a Live server message says, read once without throwing: the parts the wrapper records. */
export interface LiveMessageFacts {
  setupComplete: boolean;
  /** The server's voice activity detection saw the user stop speaking. */
  speechEnded: boolean;
  audioParts: number;
  textParts: number;
  interrupted: boolean;
  turnComplete: boolean;
  toolNames: readonly unknown[];
  usage: unknown;
  goAway: boolean;
}

const NO_TOOLS: readonly unknown[] = [];

/** Reads a `LiveServerMessage`; unknown shapes give an empty reading. */
export function readLiveMessage(message: unknown): LiveMessageFacts {
  const m = object(message);
  const content = object(m?.serverContent);
  const facts: LiveMessageFacts = {
    setupComplete: m?.setupComplete !== undefined && m.setupComplete !== null,
    speechEnded:
      object(m?.voiceActivity)?.voiceActivityType === 'ACTIVITY_END' ||
      object(m?.voiceActivityDetectionSignal)?.vadSignalType === 'VAD_SIGNAL_TYPE_EOS' ||
      object(content?.inputTranscription)?.finished === true,
    audioParts: 0,
    textParts: typeof object(content?.outputTranscription)?.text === 'string' ? 1 : 0,
    interrupted: content?.interrupted === true,
    turnComplete: content?.turnComplete === true,
    toolNames: NO_TOOLS,
    usage: m?.usageMetadata,
    goAway: m?.goAway !== undefined && m.goAway !== null,
  };
  const parts = object(content?.modelTurn)?.parts;
  if (Array.isArray(parts)) {
    for (const item of parts) {
      const part = object(item);
      const mime = object(part?.inlineData)?.mimeType;
      if (typeof mime === 'string' && mime.startsWith('audio/')) facts.audioParts += 1;
      else if (typeof part?.text === 'string' && part.thought !== true) facts.textParts += 1;
    }
  }
  const calls = object(m?.toolCall)?.functionCalls;
  if (Array.isArray(calls)) facts.toolNames = calls.map((call: unknown) => object(call)?.name);
  return facts;
}
