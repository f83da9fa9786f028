import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LoopbackServer, startLoopbackServer } from '../server.ts';
import { messages } from './anthropic.ts';
import { createFaultPicker, type FaultRule, type LatencyOptions } from './faults.ts';
import { seededRandom } from '../random.ts';
import { generateContent } from './google.ts';
import { chatCompletions, embeddings, responses, type SimReply } from './openai.ts';
import { type Exchange, sendJson, type SimUsage } from './respond.ts';
import { toolCallFor } from './tools.ts';

export type LlmProviderName = 'openai' | 'anthropic' | 'google';

/** What a model answers: its text and the usage it reports. */
export interface SimModel {
  readonly reply?: string;
  readonly usage?: Partial<SimUsage>;
}

export interface LlmSimulatorOptions {
  /** The reply text when the model has none (default "Hello from the provider simulator."). */
  readonly reply?: string;
  /** Usage reported when the model has none (default: 10 input, one output token per word). */
  readonly usage?: Partial<SimUsage>;
  /** Per-model replies and usage. */
  readonly models?: Readonly<Record<string, SimModel>>;
  /** Delays; fixed numbers for tests, `{ median, p95 }` lognormal for a demo. Default none. */
  readonly latency?: LatencyOptions;
  /** Delays per provider, in place of `latency` for that provider. */
  readonly latencyByProvider?: Partial<Record<LlmProviderName, LatencyOptions>>;
  /** Faults by rule (rate, count, provider, model); the `x-sim-fault` request header overrides them. */
  readonly faults?: readonly FaultRule[];
  /** Seed of the PRNG behind fault rates and latency draws (default 1). */
  readonly seed?: number;
}

export interface RequestRecord {
  readonly provider: LlmProviderName;
  readonly operation: string;
  readonly model: string;
  readonly stream: boolean;
}

export interface LlmSimulator {
  /**
   * Answers the request when it is an LLM route (returns true) and leaves it alone otherwise, so
   * several simulators can share one loopback server.
   */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): boolean;
  /** Requests seen, in order (the last 1000). */
  readonly requests: readonly RequestRecord[];
}

const DEFAULT_REPLY = 'Hello from the provider simulator.';
const MAX_RECORDS = 1000;
const GOOGLE_PATH = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

function parseBody(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8') || '{}');
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A model name from the URL path; a malformed escape is kept as sent rather than crashing the server. */
function decodeModel(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function route(
  path: string,
): { provider: LlmProviderName; operation: string; model?: string; stream?: boolean } | undefined {
  if (path.endsWith('/chat/completions')) return { provider: 'openai', operation: 'chat' };
  if (path.endsWith('/responses')) return { provider: 'openai', operation: 'responses' };
  if (path.endsWith('/embeddings')) return { provider: 'openai', operation: 'embeddings' };
  if (path.endsWith('/v1/messages')) return { provider: 'anthropic', operation: 'messages' };
  const google = GOOGLE_PATH.exec(path);
  if (google?.[1] !== undefined) {
    return {
      provider: 'google',
      operation: 'generate_content',
      model: decodeModel(google[1]),
      stream: google[2] === 'streamGenerateContent',
    };
  }
  return undefined;
}

/** A simulator of the OpenAI, Anthropic and Google GenAI wire protocols, with faults and latency. */
export function createLlmSimulator(options: LlmSimulatorOptions = {}): LlmSimulator {
  const random = seededRandom(options.seed ?? 1);
  const faults = createFaultPicker(options.faults ?? [], random);
  const latency = options.latency ?? {};
  const records: RequestRecord[] = [];
  let counter = 0;

  const replyFor = (model: string, body: Record<string, unknown>): SimReply => {
    const spec = options.models?.[model];
    const text = spec?.reply ?? options.reply ?? DEFAULT_REPLY;
    const usage = { ...options.usage, ...spec?.usage };
    counter += 1;
    const toolCall = toolCallFor(body, `sim${counter}`);
    return {
      id: `sim${counter}`,
      ...(toolCall === undefined ? {} : { toolCall }),
      model,
      text,
      usage: {
        input: usage.input ?? 10,
        cached_input: usage.cached_input ?? 0,
        cache_write: usage.cache_write ?? 0,
        input_audio: usage.input_audio ?? 0,
        output: usage.output ?? text.match(/\S+/g)?.length ?? 0,
        reasoning: usage.reasoning ?? 0,
        output_audio: usage.output_audio ?? 0,
      },
    };
  };

  return {
    requests: records,
    handle(req, res, raw) {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const target = req.method === 'POST' ? route(path) : undefined;
      if (target === undefined) return false;
      const body = parseBody(raw);
      const model = target.model ?? (typeof body.model === 'string' ? body.model : 'unknown');
      const stream = target.stream ?? body.stream === true;
      records.push({ provider: target.provider, operation: target.operation, model, stream });
      if (records.length > MAX_RECORDS) records.shift();
      const picked = faults.pick(req, target.provider, model);
      const delays = options.latencyByProvider?.[target.provider] ?? latency;
      const ex: Exchange = { res, fault: picked?.fault, retryAfter: picked?.retryAfter ?? 1, latency: delays, random };
      const reply = replyFor(model, body);
      const done =
        target.operation === 'chat'
          ? chatCompletions(ex, body, reply)
          : target.operation === 'responses'
            ? responses(ex, body, reply)
            : target.operation === 'embeddings'
              ? embeddings(ex, body, reply)
              : target.operation === 'messages'
                ? messages(ex, body, reply)
                : generateContent(ex, stream, reply);
      done.catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: String(error) } });
        else res.destroy();
      });
      return true;
    },
  };
}

export interface LlmSimulatorServer extends LoopbackServer {
  readonly simulator: LlmSimulator;
}

/** Starts a loopback server that answers the LLM routes (404 for anything else). */
export async function startLlmSimulator(options: LlmSimulatorOptions = {}): Promise<LlmSimulatorServer> {
  const simulator = createLlmSimulator(options);
  const server = await startLoopbackServer((req, res, body) => {
    if (!simulator.handle(req, res, body))
      sendJson(res, 404, { error: { message: `no simulated route for ${req.method} ${req.url}` } });
  });
  return { ...server, close: server.close, simulator };
}
