import {
  DB_SECONDS,
  FIRST_OUTPUT_SECONDS,
  GENERATION_SECONDS,
  PROVIDER_SECONDS,
  REQUEST_SECONDS,
  SCORE,
  SESSION_SECONDS,
} from './buckets.ts';
import type { InstrumentSpec } from './types.ts';

/** The handle names of the catalog's instruments, as on `meter.instruments`. */
export type CatalogKey =
  | 'requests'
  | 'responseTime'
  | 'errors'
  | 'activeSessions'
  | 'sessions'
  | 'sessionDuration'
  | 'llmRequests'
  | 'llmLatency'
  | 'llmTimeToFirstToken'
  | 'llmTokens'
  | 'llmErrors'
  | 'llmToolCalls'
  | 'llmSteps'
  | 'toolRuns'
  | 'toolDuration'
  | 'apiCost'
  | 'pricingSource'
  | 'ttsRequests'
  | 'ttsLatency'
  | 'ttsTimeToFirstAudio'
  | 'ttsCharacters'
  | 'ttsAudio'
  | 'ttsErrors'
  | 'sttRequests'
  | 'sttLatency'
  | 'sttAudio'
  | 'sttErrors'
  | 'turnLatency'
  | 'voiceEventsDropped'
  | 'voiceInterruptions'
  | 'websocketConnectionsActive'
  | 'websocketMessages'
  | 'websocketTraffic'
  | 'websocketConnectionDuration'
  | 'dbQueryDuration'
  | 'dbQueries'
  | 'dbConnectionsActive'
  | 'dbConnectionsIdle'
  | 'dbConnectionsMax'
  | 'dbConnectionsPending'
  | 'dbTransactions'
  | 'cacheOperations'
  | 'cacheHitRatio'
  | 'conversationExchanges'
  | 'conversationQualityScore'
  | 'userEngagementScore'
  | 'contentGeneration'
  | 'contentGenerationDuration'
  | 'externalApiRequests'
  | 'externalApiDuration'
  | 'healthCheckStatus'
  | 'healthCheckDuration';

const LLM = ['provider', 'model'] as const;
const DB = ['db_system', 'operation', 'table'] as const;

/**
 * Every instrument agentmeter records, declared once. The meter creates them from this table,
 * docs/metrics.md is generated from it, and the dashboards and alert rules are checked against it.
 */
export const CATALOG: Readonly<Record<CatalogKey, InstrumentSpec>> = {
  requests: {
    name: 'requests', family: 'requests', kind: 'counter', unit: '{request}',
    description: 'Requests handled by the service, by outcome.',
    attributes: ['status'],
    replaces: ['digital_actors_requests_total'],
  },
  responseTime: {
    name: 'response_time', family: 'requests', kind: 'histogram', unit: 's',
    description: 'Time to handle a whole request, including the provider calls it makes.',
    attributes: [], buckets: REQUEST_SECONDS,
    replaces: ['digital_actors_response_time_seconds'],
  },
  errors: {
    name: 'errors', family: 'errors', kind: 'counter', unit: '{error}',
    description: 'Errors, by type in the shared taxonomy and by the component that raised them.',
    attributes: ['error_type', 'component'],
    replaces: ['digital_actors_errors_total', 'errors_total'],
  },
  activeSessions: {
    name: 'active_sessions', family: 'sessions', kind: 'updowncounter', unit: '{session}',
    description: 'Sessions open right now.',
    attributes: [],
    clusterMerge: 'sum',
    replaces: ['digital_actors_active_sessions', 'sessions_active'],
  },
  sessions: {
    name: 'sessions', family: 'sessions', kind: 'counter', unit: '{session}',
    description: 'Sessions started.',
    attributes: [],
    replaces: ['sessions_total'],
  },
  sessionDuration: {
    name: 'session.duration', family: 'sessions', kind: 'histogram', unit: 's',
    description: 'How long sessions lasted, recorded when they end.',
    attributes: [], buckets: SESSION_SECONDS,
    replaces: ['session_duration_seconds'],
  },
  llmRequests: {
    name: 'llm.requests', family: 'llm', kind: 'counter', unit: '{request}',
    description: 'LLM API calls, by provider, model, operation and outcome.',
    attributes: [...LLM, 'operation', 'status'],
    replaces: ['claude_api_calls_total'],
  },
  llmLatency: {
    name: 'llm.latency', family: 'llm', kind: 'histogram', unit: 's',
    description: 'LLM API call duration, to the last byte of the response or stream.',
    attributes: [...LLM, 'operation'], buckets: PROVIDER_SECONDS,
    replaces: ['digital_actors_llm_latency_seconds', 'claude_api_duration_seconds'],
  },
  llmTimeToFirstToken: {
    name: 'llm.time_to_first_token', family: 'llm', kind: 'histogram', unit: 's',
    description: 'Time from the request to the first content chunk of a streamed LLM response.',
    attributes: [...LLM], buckets: FIRST_OUTPUT_SECONDS,
    replaces: [],
  },
  llmTokens: {
    name: 'llm.tokens', family: 'llm', kind: 'counter', unit: '{token}',
    description: 'Tokens reported by the provider, by type: input (cache reads and writes excluded), cached_input (cache reads), cache_write, output, and the parts reasoning and output_audio (of output) and input_audio (of input).',
    attributes: [...LLM, 'token_type'],
    replaces: ['claude_api_tokens_total'],
  },
  llmErrors: {
    name: 'llm.errors', family: 'llm', kind: 'counter', unit: '{error}',
    description: 'Failed LLM API calls and streams, by error type in the shared taxonomy.',
    attributes: [...LLM, 'error_type'],
    replaces: ['api_errors_total'],
  },
  llmToolCalls: {
    name: 'llm.tool_calls', family: 'llm', kind: 'counter', unit: '{call}',
    description: 'Tool calls the model asked for, by tool name (AI SDK and LangChain.js integrations).',
    attributes: [...LLM, 'tool'],
    replaces: [],
  },
  llmSteps: {
    name: 'llm.steps', family: 'llm', kind: 'counter', unit: '{step}',
    description: 'Model calls (steps of a multi-step run), by why they ended: stop, length, tool_calls, content_filter, error, other.',
    attributes: [...LLM, 'finish_reason'],
    replaces: [],
  },
  toolRuns: {
    name: 'tool.runs', family: 'llm', kind: 'counter', unit: '{run}',
    description: 'Tool executions of an agent (AI SDK tools, LangChain.js tool runs), by tool name and outcome.',
    attributes: ['tool', 'status'],
    replaces: [],
  },
  toolDuration: {
    name: 'tool.duration', family: 'llm', kind: 'histogram', unit: 's',
    description: 'How long tool executions took, by tool name and outcome.',
    attributes: ['tool', 'status'], buckets: PROVIDER_SECONDS,
    replaces: [],
  },
  apiCost: {
    name: 'api.cost.usd', family: 'cost', kind: 'counter', unit: '{USD}',
    description: 'Estimated provider cost in US dollars, from the pricing table. LLM cost is split by token_type (input, cached_input, cache_write, input_audio, output without its reasoning and audio parts, reasoning, output_audio, request fees); speech cost has no token_type.',
    attributes: ['provider', 'service', 'model', 'token_type'],
    replaces: ['api_cost_total'],
  },
  pricingSource: {
    name: 'pricing.source.published', family: 'cost', kind: 'gauge', unit: 's',
    description: 'When the LLM price data in use was published (Unix seconds), with its source and version: time() minus this is its age.',
    attributes: ['source', 'version'],
    // Every worker holds the same date; kept per worker (a sum of dates means nothing).
    clusterMerge: 'per_worker',
    replaces: [],
  },
  ttsRequests: {
    name: 'tts.requests', family: 'tts', kind: 'counter', unit: '{request}',
    description: 'Text-to-speech calls, by provider, model and outcome.',
    attributes: [...LLM, 'status'],
    replaces: [],
  },
  ttsLatency: {
    name: 'tts.latency', family: 'tts', kind: 'histogram', unit: 's',
    description: 'Text-to-speech call duration, to the last audio byte.',
    attributes: [...LLM, 'status'], buckets: PROVIDER_SECONDS,
    replaces: ['digital_actors_tts_latency_seconds'],
  },
  ttsTimeToFirstAudio: {
    name: 'tts.time_to_first_audio', family: 'tts', kind: 'histogram', unit: 's',
    description: 'Time from the text-to-speech request to the first audio byte.',
    attributes: [...LLM], buckets: FIRST_OUTPUT_SECONDS,
    replaces: [],
  },
  ttsCharacters: {
    name: 'tts.characters', family: 'tts', kind: 'counter', unit: '{character}',
    description: 'Characters sent for synthesis.',
    attributes: [...LLM],
    replaces: [],
  },
  ttsAudio: {
    name: 'tts.audio', family: 'tts', kind: 'counter', unit: 's',
    description: 'Seconds of audio synthesized.',
    attributes: [...LLM],
    replaces: [],
  },
  ttsErrors: {
    name: 'tts.errors', family: 'tts', kind: 'counter', unit: '{error}',
    description: 'Failed text-to-speech calls, by error type (rate_limit, timeout, ...).',
    attributes: [...LLM, 'error_type'],
    replaces: ['cartesia_tts_error_total'],
  },
  sttRequests: {
    name: 'stt.requests', family: 'stt', kind: 'counter', unit: '{request}',
    description: 'Speech-to-text calls, by provider, model and outcome.',
    attributes: [...LLM, 'status'],
    replaces: ['whisper_api_calls_total'],
  },
  sttLatency: {
    name: 'stt.latency', family: 'stt', kind: 'histogram', unit: 's',
    description: 'Speech-to-text call duration, to the final transcript.',
    attributes: [...LLM, 'status'], buckets: PROVIDER_SECONDS,
    replaces: ['whisper_api_duration_seconds'],
  },
  sttAudio: {
    name: 'stt.audio', family: 'stt', kind: 'counter', unit: 's',
    description: 'Seconds of audio transcribed.',
    attributes: [...LLM],
    replaces: [],
  },
  sttErrors: {
    name: 'stt.errors', family: 'stt', kind: 'counter', unit: '{error}',
    description: 'Failed speech-to-text calls, by error type.',
    attributes: [...LLM, 'error_type'],
    replaces: [],
  },
  turnLatency: {
    name: 'turn.latency', family: 'turns', kind: 'histogram', unit: 's',
    description: 'Voice turn latency: from the end of user speech to the first agent audio.',
    attributes: [], buckets: FIRST_OUTPUT_SECONDS,
    replaces: [],
  },
  voiceEventsDropped: {
    name: 'voice.events_dropped', family: 'turns', kind: 'counter', unit: '{event}',
    description: 'Voice pipeline events dropped, by reason: late (after the turn closed) or duplicate_final.',
    attributes: ['reason'],
    replaces: [],
  },
  voiceInterruptions: {
    name: 'voice.interruptions', family: 'turns', kind: 'counter', unit: '{interruption}',
    description: 'Times the user spoke over the agent (barge-in).',
    attributes: [],
    replaces: [],
  },
  websocketConnectionsActive: {
    name: 'websocket.connections_active', family: 'websocket', kind: 'updowncounter', unit: '{connection}',
    description: 'WebSocket connections open right now.',
    attributes: [],
    clusterMerge: 'sum',
    replaces: ['websocket_connections_active'],
  },
  websocketMessages: {
    name: 'websocket.messages', family: 'websocket', kind: 'counter', unit: '{message}',
    description: 'WebSocket messages, by direction (in, out).',
    attributes: ['direction'],
    replaces: ['websocket_messages_total'],
  },
  websocketTraffic: {
    name: 'websocket.traffic', family: 'websocket', kind: 'counter', unit: 'By',
    description: 'WebSocket payload bytes, by direction (in, out).',
    attributes: ['direction'],
    replaces: [],
  },
  websocketConnectionDuration: {
    name: 'websocket.connection_duration', family: 'websocket', kind: 'histogram', unit: 's',
    description: 'How long WebSocket connections stayed open.',
    attributes: [], buckets: SESSION_SECONDS,
    replaces: ['websocket_connection_duration_seconds'],
  },
  dbQueryDuration: {
    name: 'db.query.duration', family: 'db', kind: 'histogram', unit: 's',
    description: 'Database query duration, by system, operation, table and outcome.',
    attributes: [...DB, 'status'], buckets: DB_SECONDS,
    replaces: [
      'digital_actors_db_query_time_seconds',
      'database_query_duration_seconds',
    ],
  },
  dbQueries: {
    name: 'db.queries', family: 'db', kind: 'counter', unit: '{query}',
    description: 'Database queries, by system, operation, table and outcome.',
    attributes: [...DB, 'status'],
    replaces: ['database_queries_total'],
  },
  dbConnectionsActive: {
    name: 'db.connections.active', family: 'db', kind: 'gauge', unit: '{connection}',
    description: 'Pool connections checked out and in use.',
    attributes: ['db_system', 'pool'],
    clusterMerge: 'sum',
    replaces: ['database_connections_active'],
  },
  dbConnectionsIdle: {
    name: 'db.connections.idle', family: 'db', kind: 'gauge', unit: '{connection}',
    description: 'Pool connections open and idle.',
    attributes: ['db_system', 'pool'],
    clusterMerge: 'sum',
    replaces: [],
  },
  dbConnectionsMax: {
    name: 'db.connections.max', family: 'db', kind: 'gauge', unit: '{connection}',
    description: 'The pool size limit.',
    attributes: ['db_system', 'pool'],
    clusterMerge: 'sum',
    replaces: ['database_connections_max'],
  },
  dbConnectionsPending: {
    name: 'db.connections.pending', family: 'db', kind: 'gauge', unit: '{request}',
    description: 'Callers waiting for a pool connection.',
    attributes: ['db_system', 'pool'],
    clusterMerge: 'sum',
    replaces: [],
  },
  dbTransactions: {
    name: 'db.transactions', family: 'db', kind: 'counter', unit: '{transaction}',
    description: 'Database transactions, by outcome (commit, rollback).',
    attributes: ['db_system', 'status'],
    replaces: ['database_transactions_total'],
  },
  cacheOperations: {
    name: 'cache.operations', family: 'cache', kind: 'counter', unit: '{operation}',
    description: 'Cache operations, by operation (get, set, ...) and result (hit, miss, ok, error).',
    attributes: ['cache', 'operation', 'result'],
    replaces: ['cache_operations_total'],
  },
  cacheHitRatio: {
    name: 'cache.hit_ratio', family: 'cache', kind: 'gauge', unit: '1',
    description: 'Hits over hits plus misses since the process started.',
    attributes: ['cache'],
    clusterMerge: 'per_worker',
    replaces: ['cache_hit_ratio'],
  },
  conversationExchanges: {
    name: 'conversation.exchanges', family: 'conversation', kind: 'counter', unit: '{exchange}',
    description: 'Conversation exchanges (a user turn and the reply), by intent.',
    attributes: ['intent'],
    replaces: ['conversation_exchanges_total'],
  },
  conversationQualityScore: {
    name: 'conversation.quality_score', family: 'conversation', kind: 'histogram', unit: '{score}',
    description: 'Quality score of an exchange, from 0 to 1.',
    attributes: ['intent'], buckets: SCORE,
    replaces: ['conversation_quality_score'],
  },
  userEngagementScore: {
    name: 'user.engagement_score', family: 'conversation', kind: 'histogram', unit: '{score}',
    description: 'Engagement score of a session, from 0 to 1.',
    attributes: [], buckets: SCORE,
    replaces: ['user_engagement_score'],
  },
  contentGeneration: {
    name: 'content_generation', family: 'generation', kind: 'counter', unit: '{generation}',
    description: 'Content generation jobs, by content type (text, audio, image, ...) and outcome.',
    attributes: ['content_type', 'status'],
    replaces: ['content_generation_total', 'audio_generation_total'],
  },
  contentGenerationDuration: {
    name: 'content_generation.duration', family: 'generation', kind: 'histogram', unit: 's',
    description: 'Content generation duration, by content type and outcome.',
    attributes: ['content_type', 'status'], buckets: GENERATION_SECONDS,
    replaces: ['content_generation_duration_seconds', 'audio_generation_duration_seconds'],
  },
  externalApiRequests: {
    name: 'external_api.requests', family: 'external_api', kind: 'counter', unit: '{request}',
    description: 'Calls to other external APIs, by service, endpoint and outcome.',
    attributes: ['service', 'endpoint', 'status'],
    replaces: [],
  },
  externalApiDuration: {
    name: 'external_api.duration', family: 'external_api', kind: 'histogram', unit: 's',
    description: 'Duration of calls to other external APIs.',
    attributes: ['service', 'endpoint', 'status'], buckets: PROVIDER_SECONDS,
    replaces: [],
  },
  healthCheckStatus: {
    name: 'health_check.status', family: 'health', kind: 'gauge', unit: '{status}',
    description: 'Last result of a dependency health check: 1 healthy, 0 unhealthy.',
    attributes: ['dependency'],
    clusterMerge: 'per_worker',
    replaces: [],
  },
  healthCheckDuration: {
    name: 'health_check.duration', family: 'health', kind: 'histogram', unit: 's',
    description: 'Dependency health check duration.',
    attributes: ['dependency', 'status'], buckets: DB_SECONDS,
    replaces: [],
  },
};

/** The catalog's keys in declaration order. */
export const CATALOG_KEYS: readonly CatalogKey[] = Object.keys(CATALOG) as CatalogKey[];
