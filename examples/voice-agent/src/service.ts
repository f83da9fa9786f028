import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { instrumentWebSocketServer } from '@agentmeter/node';
import { httpCheck, type HealthOptions } from '@agentmeter/prometheus';
import { WebSocketServer } from 'ws';
import { Agent } from './agent.ts';
import { createApp, type RealtimeTarget } from './app.ts';
import { Assistant } from './assist.ts';
import { findCharacter } from './characters.ts';
import type { ServiceConfig } from './config.ts';
import { createProviders } from './providers.ts';
import { openCache, openDatabase } from './store.ts';
import { createServiceMeter, startTelemetry } from './telemetry.ts';
import { runVoiceSession } from './voice.ts';

export interface RunningService {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly database: string;
  readonly cache: string;
  /** Providers answered by the simulator (the others are the real APIs). */
  readonly simulated: readonly string[];
  close(): Promise<void>;
}

function characterOf(url: string | undefined): ReturnType<typeof findCharacter> {
  return findCharacter(new URL(url ?? '/', 'http://localhost').searchParams.get('character'));
}

/** Opens the database and cache, wraps the provider clients, and serves the API and the voice WebSocket. */
export async function startService(config: ServiceConfig): Promise<RunningService> {
  const meter = createServiceMeter();
  const db = await openDatabase(config.databaseUrl, meter);
  const cache = openCache(config.redisUrl, meter, config.cachePrefix);
  const providers = createProviders(config, meter);
  const health: HealthOptions = {
    timeoutMs: 1500,
    checks: {
      database: db.health,
      ...(cache.health === undefined ? {} : { cache: cache.health }),
      // Optional: the agent answers without it, so it never makes /api/health 503.
      ...(providers.knowledgeUrl === undefined
        ? {}
        : { knowledge_base: httpCheck(`${providers.knowledgeUrl}/health`, { required: false }) }),
    },
  };
  const telemetry = startTelemetry(meter, health);
  const agent = new Agent(providers, meter, cache);
  const assistant = new Assistant(providers.ai, meter, agent);
  const realtime = {
    openai: realtimeTarget(config.keys.openai, config.simulator?.openaiRealtime),
    google: realtimeTarget(config.keys.google, config.simulator?.geminiLive),
  };
  const app = createApp({ meter, exporter: telemetry.exporter, agent, assistant, realtime, db, cache });

  const server = await new Promise<Server>((resolve, reject) => {
    const created = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(created as Server),
    );
    created.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  telemetry.setServicePort(port);

  // Sessions and WebSocket series carry the scene and character (declared attributes, a closed set).
  const wss = instrumentWebSocketServer(new WebSocketServer({ noServer: true, maxPayload: 1 << 20 }), {
    meter,
    attributes: (request) => {
      const character = characterOf(request.url);
      return character === undefined ? undefined : { scene: character.scene, character: character.id };
    },
    sessions: (request) => {
      const character = characterOf(request.url);
      return character === undefined ? false : { scene: character.scene, character: character.id };
    },
  });
  wss.on('connection', (ws, request) => {
    const character = characterOf(request.url);
    if (character === undefined) ws.close(1008, 'unknown character');
    else runVoiceSession(ws, character, agent, db, meter);
  });
  server.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== '/ws/voice' || characterOf(request.url) === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  let closed: Promise<void> | undefined;
  return {
    url: `http://${config.host}:${port}`,
    database: db.system,
    cache: cache.kind,
    simulated: providers.simulated,
    close: () =>
      (closed ??= (async () => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections?.();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.allSettled([db.close(), cache.close()]);
        await telemetry.shutdown();
      })()),
  };
}

/** A realtime provider's target: the real API with a key, else the simulator's URL, else none. */
function realtimeTarget(apiKey: string | undefined, simulatorUrl: string | undefined): RealtimeTarget | undefined {
  if (apiKey !== undefined) return { apiKey };
  return simulatorUrl === undefined ? undefined : { url: simulatorUrl };
}
