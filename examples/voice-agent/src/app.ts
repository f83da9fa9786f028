import { type AgentMeter, classifyError, type ErrorType, type RecordAttributes } from '@agentmeter/core';
import { instrumentHono } from '@agentmeter/node';
import { honoMetrics, type PrometheusExporter } from '@agentmeter/prometheus';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Agent } from './agent.ts';
import type { Assistant } from './assist.ts';
import { geminiLiveExchange } from './gemini-live.ts';
import { realtimeExchange } from './realtime.ts';
import { agentsRealtimeExchange } from './realtime-agent.ts';
import { CHARACTERS, type Character, findCharacter, intentOf } from './characters.ts';
import type { Cache, Database } from './store.ts';

/** A realtime session's endpoint: the simulator's URL or the real API's key. */
export type RealtimeTarget = { url: string } | { apiKey: string };

export interface AppParts {
  readonly meter: AgentMeter;
  readonly exporter: PrometheusExporter;
  readonly agent: Agent;
  readonly assistant: Assistant;
  /** Where realtime sessions go, by provider (OpenAI Realtime, Gemini Live): the simulator, the real API, or nowhere. */
  readonly realtime: { readonly openai?: RealtimeTarget | undefined; readonly google?: RealtimeTarget | undefined };
  readonly db: Database;
  readonly cache: Cache;
}

const STATUS_OF: Partial<Record<ErrorType, ContentfulStatusCode>> = {
  rate_limit: 429,
  timeout: 504,
  server_error: 502,
  connection: 502,
  bad_request: 400,
  validation_error: 400,
  auth: 502,
};

async function bodyOf(c: Context): Promise<Record<string, unknown>> {
  const body: unknown = await c.req.json().catch(() => undefined);
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/** The HTTP API: scenes, text chat, an AI SDK assistant, content generation and speech, plus /metrics, /api/metrics and /api/health. */
export function createApp({ meter, exporter, agent, assistant, realtime, db, cache }: AppParts): Hono {
  const app = instrumentHono(new Hono());
  app.use(honoMetrics(exporter));

  /** Runs a handler as one tracked request; a provider failure answers with a matching status. */
  const tracked = async (
    c: Context,
    labels: RecordAttributes,
    component: string,
    fn: () => Promise<Response>,
  ): Promise<Response> => {
    try {
      return await meter.trackRequest(labels, fn, { component });
    } catch (error) {
      const errorType = classifyError(error);
      return c.json({ error: errorType }, STATUS_OF[errorType] ?? 500);
    }
  };
  const withCharacter =
    (
      route: string,
      component: string,
      fn: (c: Context, character: Character, body: Record<string, unknown>) => Promise<Response>,
    ) =>
    async (c: Context): Promise<Response> => {
      const body = await bodyOf(c);
      const character = findCharacter(body['character']);
      if (character === undefined)
        return c.json({ error: 'unknown character', characters: CHARACTERS.map((x) => x.id) }, 404);
      return tracked(c, { scene: character.scene, character: character.id, route }, component, () =>
        fn(c, character, body),
      );
    };

  app.get('/api/scenes', (c) =>
    tracked(c, { route: '/api/scenes' }, 'scenes', async () => {
      const cached = await cache.get('scenes');
      if (cached !== null) return c.json(JSON.parse(cached) as unknown);
      const rows = await db.query<{ id: string; scene: string }>(
        'SELECT id, scene FROM va_characters ORDER BY scene, id',
      );
      await cache.set('scenes', JSON.stringify(rows), 15);
      return c.json(rows);
    }),
  );

  app.post(
    '/api/chat',
    withCharacter('/api/chat', 'chat', async (c, character, body) => {
      const message = typeof body['message'] === 'string' ? body['message'].slice(0, 2000) : '';
      if (message === '') throw Object.assign(new Error('message is required'), { status: 400 });
      const intent = intentOf(message);
      if (intent === 'question' || intent === 'navigation') await agent.lookup(character.scene, intent);
      const started = performance.now();
      const reply = await agent.reply(character, [{ role: 'user', content: message }]);
      await db.query(
        'INSERT INTO va_messages (session, character, role, content) VALUES ($1, $2, $3, $4), ($1, $2, $5, $6)',
        ['http', character.id, 'user', message, 'assistant', reply],
      );
      const seconds = (performance.now() - started) / 1000;
      meter.recordConversationExchange({ intent }, { quality: Math.max(0, Math.min(1, 1 - (seconds - 1) / 4)) });
      return c.json({ character: character.id, reply });
    }),
  );

  app.post(
    '/api/assist',
    withCharacter('/api/assist', 'assist', async (c, character, body) => {
      const question = typeof body['question'] === 'string' ? body['question'].slice(0, 2000) : '';
      if (question === '') throw Object.assign(new Error('question is required'), { status: 400 });
      const { text, steps } = await assistant.answer(character, question);
      return c.json({ character: character.id, reply: text, steps });
    }),
  );

  app.post(
    '/api/realtime',
    withCharacter('/api/realtime', 'realtime', async (c, character, body) => {
      const provider = body['provider'] === 'google' ? 'google' : 'openai';
      const target = realtime[provider];
      if (target === undefined) return c.json({ error: `no ${provider} realtime provider configured` }, 404);
      const interrupt = body['interrupt'] === true;
      // OpenAI with `sdk: 'agents'`: the same exchange through an @openai/agents-realtime RealtimeSession.
      const openaiExchange = body['sdk'] === 'agents' ? agentsRealtimeExchange : realtimeExchange;
      const status =
        provider === 'google'
          ? await geminiLiveExchange(meter, target, interrupt)
          : await openaiExchange(meter, target, interrupt);
      return c.json({ character: character.id, provider, status });
    }),
  );

  app.post(
    '/api/generate',
    withCharacter('/api/generate', 'generation', async (c, character, body) => {
      const kind = body['kind'] === 'script' ? 'script' : 'summary';
      const content = await meter.trackContentGeneration({ content_type: kind }, () =>
        agent.complete(character, kind === 'script' ? 'Write a short scene script.' : 'Summarize the scene so far.'),
      );
      await db.transaction(async (query) => {
        await query('INSERT INTO va_generations (character, kind, content) VALUES ($1, $2, $3)', [
          character.id,
          kind,
          content,
        ]);
      });
      return c.json({ character: character.id, kind, content });
    }),
  );

  app.post(
    '/api/speak',
    withCharacter('/api/speak', 'speech', async (c, character, body) => {
      const text = typeof body['text'] === 'string' ? body['text'].slice(0, 1000) : '';
      if (text === '') throw Object.assign(new Error('text is required'), { status: 400 });
      const chunks: Uint8Array[] = [];
      await agent.speak(character, text, (chunk) => chunks.push(chunk));
      return c.body(Buffer.concat(chunks), 200, { 'content-type': 'audio/pcm;rate=16000' });
    }),
  );

  return app;
}
