import type { ServerResponse } from 'node:http';
import { type LatencyOptions, type ParsedFault, sampleDelay, sleep } from './faults.ts';

/** Everything a provider handler needs to answer one request. */
export interface Exchange {
  readonly res: ServerResponse;
  readonly fault: ParsedFault | undefined;
  readonly retryAfter: number;
  readonly latency: LatencyOptions;
  readonly random: () => number;
}

/** Token counts the simulator reports, in agentmeter's terms (each provider maps them to its wire names). */
export interface SimUsage {
  /** Input tokens neither read from nor written to the prompt cache. */
  readonly input: number;
  /** Input tokens read from the prompt cache. */
  readonly cached_input: number;
  /** Input tokens written to the prompt cache (Anthropic's cache_creation_input_tokens; OpenAI's cache_write_tokens). */
  readonly cache_write: number;
  /** The audio part of `input`. */
  readonly input_audio: number;
  /** All output tokens, reasoning and audio included. */
  readonly output: number;
  /** The part of `output` spent reasoning (OpenAI reasoning tokens, Anthropic thinking, Gemini thoughts). */
  readonly reasoning: number;
  /** The audio part of `output`. */
  readonly output_audio: number;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Applies the request-level faults (status, hang, abort before any byte) and the first-byte delay.
 * Returns false when the fault already answered (or will never answer) the request.
 */
export async function beforeResponse(ex: Exchange, errorBody: (status: number) => unknown): Promise<boolean> {
  const { fault, res } = ex;
  if (fault?.kind === 'hang') return false;
  await sleep(sampleDelay(ex.latency.firstByte, ex.random));
  if (fault?.kind === 'status') {
    const headers: Record<string, string> = {};
    if (fault.status === 429 || fault.status === 503) headers['retry-after'] = String(ex.retryAfter);
    sendJson(res, fault.status, errorBody(fault.status), headers);
    return false;
  }
  return true;
}

/** A JSON answer, or for `abort` a dropped connection, or for `malformed` a truncated body. */
export async function answerJson(ex: Exchange, body: unknown, errorBody: (status: number) => unknown): Promise<void> {
  if (!(await beforeResponse(ex, errorBody))) return;
  if (ex.fault?.kind === 'abort') {
    ex.res.socket?.destroy();
    return;
  }
  if (ex.fault?.kind === 'malformed') {
    ex.res.writeHead(200, { 'content-type': 'application/json' });
    ex.res.end(JSON.stringify(body).slice(0, 20));
    return;
  }
  sendJson(ex.res, 200, body);
}

/** One SSE frame: `event:` line when named, then the JSON data. */
export function frame(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`;
}

/** How a provider breaks a stream: a frame that does not parse, and its in-stream error event. */
export interface BrokenFrames {
  readonly malformed: string;
  readonly errorEvent: string;
}

/** Streams frames with the configured delays; `abort`, `malformed` and `error-event` strike after N frames. */
export async function answerStream(
  ex: Exchange,
  frames: readonly string[],
  errorBody: (status: number) => unknown,
  broken: BrokenFrames,
): Promise<void> {
  if (!(await beforeResponse(ex, errorBody))) return;
  const { res, fault } = ex;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  let flushed: Promise<void> = Promise.resolve();
  for (let index = 0; index < frames.length; index += 1) {
    if (fault?.kind === 'abort' && index === fault.afterFrames) {
      // The frames sent so far reach the client before the connection drops.
      if (index === 0) res.flushHeaders();
      await flushed;
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === 'malformed' && index === fault.afterFrames) {
      res.end(broken.malformed);
      return;
    }
    if (fault?.kind === 'error-event' && index === fault.afterFrames) {
      res.end(broken.errorEvent);
      return;
    }
    if (index > 0) await sleep(sampleDelay(ex.latency.betweenFrames, ex.random));
    if (res.destroyed) return;
    const text = frames[index];
    flushed = new Promise((resolve) => res.write(text, () => resolve()));
  }
  res.end();
}

/** Splits a reply into word chunks ("Hello", " from", ...), one per stream frame. */
export function chunksOf(reply: string): string[] {
  return reply.match(/\s*\S+/g) ?? [reply];
}
