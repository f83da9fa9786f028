import type { SimReply } from './openai.ts';
import { answerJson, answerStream, chunksOf, type Exchange, type SimUsage } from './respond.ts';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

function googleError(status: number): unknown {
  return { error: { code: status, message: `Simulated ${status}`, status: STATUS_NAMES[status] ?? 'UNKNOWN' } };
}

/** A `*TokensDetails` list: the text part, and the audio part when there is one. */
function byModality(total: number, audio: number): Record<string, unknown>[] {
  return [
    { modality: 'TEXT', tokenCount: total - audio },
    ...(audio > 0 ? [{ modality: 'AUDIO', tokenCount: audio }] : []),
  ];
}

/** Gemini's usageMetadata: prompt tokens include cached ones; thoughts are counted apart from candidates. */
function usageMetadata(u: SimUsage, final: boolean): Record<string, unknown> {
  const prompt = u.input + u.cached_input;
  if (!final) return { promptTokenCount: prompt, totalTokenCount: prompt };
  const candidates = u.output - u.reasoning;
  return {
    promptTokenCount: prompt,
    ...(u.cached_input > 0 ? { cachedContentTokenCount: u.cached_input } : {}),
    candidatesTokenCount: candidates,
    ...(u.reasoning > 0 ? { thoughtsTokenCount: u.reasoning } : {}),
    totalTokenCount: prompt + u.output,
    promptTokensDetails: byModality(prompt, u.input_audio),
    ...(u.output_audio > 0 ? { candidatesTokensDetails: byModality(candidates, u.output_audio) } : {}),
  };
}

function candidate(text: string, finish: boolean): Record<string, unknown> {
  return { content: { parts: [{ text }], role: 'model' }, index: 0, ...(finish ? { finishReason: 'STOP' } : {}) };
}

/** POST /v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse. */
export function generateContent(ex: Exchange, stream: boolean, reply: SimReply): Promise<void> {
  const base = { modelVersion: reply.model, responseId: reply.id };
  if (!stream) {
    return answerJson(
      ex,
      { candidates: [candidate(reply.text, true)], usageMetadata: usageMetadata(reply.usage, true), ...base },
      googleError,
    );
  }
  const chunks = chunksOf(reply.text);
  const frames = chunks.map((text, index) => {
    const last = index === chunks.length - 1;
    return `data: ${JSON.stringify({ candidates: [candidate(text, last)], usageMetadata: usageMetadata(reply.usage, last), ...base })}\r\n\r\n`;
  });
  return answerStream(ex, frames, googleError, {
    malformed: 'data: {"candidates": [{"content": \r\n\r\n',
    errorEvent: `data: ${JSON.stringify(googleError(503))}\r\n\r\n`,
  });
}
