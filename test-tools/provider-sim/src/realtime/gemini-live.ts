import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';

/** Tokens a simulated model turn reports in its `usageMetadata`, by modality. */
export interface GeminiLiveSimUsage {
  readonly textIn: number;
  readonly audioIn: number;
  readonly textOut: number;
  readonly audioOut: number;
}

/** A close the server sends on purpose: the codes and reasons the Live API closes with. */
export interface GeminiLiveSimClose {
  readonly code: number;
  readonly reason: string;
}

export interface GeminiLiveSimOptions {
  /** Audio chunks (`modelTurn` parts with inline PCM) per model turn (default 3). */
  readonly audioChunks?: number;
  /** Milliseconds between chunks (default 0). */
  readonly chunkMs?: number;
  readonly usage?: Partial<GeminiLiveSimUsage>;
  /** Close the socket this way when model turn N (1-based) has sent its first chunk: a server failure mid-turn. */
  readonly closeInTurn?: { readonly turn: number } & GeminiLiveSimClose;
  /** Send `goAway` after this many completed turns. */
  readonly goAwayAfterTurns?: number;
}

export interface GeminiLiveSim {
  /** `http://127.0.0.1:<port>`: the GoogleGenAI client's `httpOptions.baseUrl` (the SDK connects over ws). */
  readonly url: string;
  /** Setup messages received, by connection (the model each session asked for, as sent). */
  readonly setups: readonly unknown[];
  close(): Promise<void>;
}

/** The API key the simulator refuses, as the Live API does a wrong key: close 1008 after setup. */
export const GEMINI_LIVE_BAD_KEY = 'bad-key';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const AUDIO = Buffer.alloc(960).toString('base64');

/** Sends a server message as the Live API does: JSON in a binary frame. */
function send(ws: WebSocket, message: Record<string, unknown>): void {
  if (ws.readyState === ws.OPEN) ws.send(Buffer.from(JSON.stringify(message)));
}

interface Connection {
  readonly ws: WebSocket;
  turns: number;
  /** The model turn in flight (set while chunks stream), interrupted by a client activity start. */
  current: { interrupted: boolean } | undefined;
  /** Resolves a turn waiting on the client's tool response. */
  toolWaiter: (() => void) | undefined;
  tools: string[];
  /** Vertex AI's dialect (LlmBidiService): usage says `candidates*` where the Gemini API says `response*`. */
  readonly vertex: boolean;
}

/**
 * The Gemini Live API (BidiGenerateContent) over a loopback WebSocket: `setup` answers
 * `setupComplete` (a missing model closes 1007, the key `bad-key` closes 1008); the end of a user
 * turn (`clientContent` with `turnComplete`, `realtimeInput` with `activityEnd`, `audioStreamEnd`
 * or `text`) answers `voiceActivity` ACTIVITY_END for audio, then a model turn: a `toolCall` first
 * when the setup declared functions (the turn goes on after `toolResponse`), `modelTurn` audio parts
 * with output transcription, `generationComplete`, and `turnComplete` with `usageMetadata` by
 * modality. A client `activityStart` during a turn interrupts it (`interrupted`, then `turnComplete`).
 * A Vertex AI client (the LlmBidiService path) gets Vertex's usage names (`candidatesTokenCount`).
 */
export async function startGeminiLiveSim(options: GeminiLiveSimOptions = {}): Promise<GeminiLiveSim> {
  const usage: GeminiLiveSimUsage = { textIn: 20, audioIn: 60, textOut: 12, audioOut: 48, ...options.usage };
  const setups: unknown[] = [];
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server });

  wss.on('connection', (ws, request) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!url.pathname.includes('BidiGenerateContent')) {
      ws.close(1008, 'Simulated: unknown method');
      return;
    }
    const vertex = url.pathname.includes('LlmBidiService');
    const conn: Connection = { ws, turns: 0, current: undefined, toolWaiter: undefined, tools: [], vertex };
    const key = url.searchParams.get('key');
    ws.on('message', (data) => void onMessage(conn, key, data));
  });

  async function onMessage(conn: Connection, key: string | null, data: RawData): Promise<void> {
    let message: Record<string, Record<string, unknown> | undefined>;
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      conn.ws.close(1007, 'Simulated: Invalid JSON payload received.');
      return;
    }
    const { setup, clientContent, realtimeInput, toolResponse } = message;
    if (setup !== undefined) {
      setups.push(setup);
      if (key === GEMINI_LIVE_BAD_KEY) conn.ws.close(1008, 'API key not valid. Please pass a valid API key.');
      else if (typeof setup['model'] !== 'string') conn.ws.close(1007, 'Request contains an invalid argument.');
      else {
        conn.tools = declaredFunctions(setup['tools']);
        send(conn.ws, { setupComplete: {} });
      }
    } else if (toolResponse !== undefined) {
      conn.toolWaiter?.();
    } else if (realtimeInput !== undefined) {
      if (realtimeInput['activityStart'] !== undefined && conn.current !== undefined) conn.current.interrupted = true;
      const audioEnded = realtimeInput['activityEnd'] !== undefined || realtimeInput['audioStreamEnd'] === true;
      if (audioEnded) send(conn.ws, { voiceActivity: { voiceActivityType: 'ACTIVITY_END' } });
      if (audioEnded || typeof realtimeInput['text'] === 'string') await modelTurn(conn);
    } else if (clientContent !== undefined && clientContent['turnComplete'] === true) {
      await modelTurn(conn);
    }
  }

  async function modelTurn(conn: Connection): Promise<void> {
    const { ws } = conn;
    conn.turns += 1;
    const turn = conn.turns;
    const state = { interrupted: false };
    conn.current = state;
    const tool = conn.tools[0];
    if (tool !== undefined && turn === 1) {
      const answered = new Promise<void>((resolve) => (conn.toolWaiter = resolve));
      send(ws, { toolCall: { functionCalls: [{ id: `call_${turn}`, name: tool, args: {} }] } });
      await answered;
      conn.toolWaiter = undefined;
    }
    for (let i = 0; i < (options.audioChunks ?? 3); i += 1) {
      await sleep(options.chunkMs ?? 0);
      if (state.interrupted || ws.readyState !== ws.OPEN) break;
      send(ws, {
        serverContent: {
          modelTurn: { role: 'model', parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: AUDIO } }] },
        },
      });
      send(ws, { serverContent: { outputTranscription: { text: 'word ' } } });
      const close = options.closeInTurn;
      if (close !== undefined && close.turn === turn) {
        ws.close(close.code, close.reason);
        return;
      }
    }
    conn.current = undefined;
    if (ws.readyState !== ws.OPEN) return;
    // An interrupted turn has no generationComplete: interrupted, then turnComplete.
    send(ws, { serverContent: state.interrupted ? { interrupted: true } : { generationComplete: true } });
    send(ws, {
      serverContent: { turnComplete: true },
      usageMetadata: {
        promptTokenCount: usage.textIn + usage.audioIn,
        [conn.vertex ? 'candidatesTokenCount' : 'responseTokenCount']: usage.textOut + usage.audioOut,
        totalTokenCount: usage.textIn + usage.audioIn + usage.textOut + usage.audioOut,
        promptTokensDetails: [
          { modality: 'TEXT', tokenCount: usage.textIn },
          { modality: 'AUDIO', tokenCount: usage.audioIn },
        ],
        [conn.vertex ? 'candidatesTokensDetails' : 'responseTokensDetails']: [
          { modality: 'TEXT', tokenCount: usage.textOut },
          { modality: 'AUDIO', tokenCount: usage.audioOut },
        ],
      },
    });
    if (options.goAwayAfterTurns === turn) send(ws, { goAway: { timeLeft: '10s' } });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setups,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The function names a setup's `tools` declare. */
function declaredFunctions(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool: { functionDeclarations?: { name?: unknown }[] }) =>
    (Array.isArray(tool?.functionDeclarations) ? tool.functionDeclarations : []).flatMap((fn) =>
      typeof fn?.name === 'string' ? [fn.name] : [],
    ),
  );
}
