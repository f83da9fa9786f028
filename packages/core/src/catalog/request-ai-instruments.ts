/**
 * The catalog's instruments of the requests, errors, sessions, LLM, cost, text-to-speech,
 * speech-to-text and voice-turn families, as plain literals: their keys, kinds and families are
 * read off this table by type (see instruments.ts), so a new instrument is declared here and
 * nowhere else. Buckets are named (see buckets.ts) and resolved when the catalog is built.
 */
export const REQUEST_AND_AI_INSTRUMENTS = {
  requests: {
    name: 'requests', family: 'requests', kind: 'counter', unit: '{request}',
    description: 'Requests handled by the service, by outcome.',
    attributes: ['status'],
    replaces: ['digital_actors_requests_total'],
  },
  responseTime: {
    name: 'response_time', family: 'requests', kind: 'histogram', unit: 's',
    description: 'Time to handle a whole request, including the provider calls it makes.',
    attributes: [], buckets: 'REQUEST_SECONDS',
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
    attributes: [], buckets: 'SESSION_SECONDS',
    replaces: ['session_duration_seconds'],
  },
  llmRequests: {
    name: 'llm.requests', family: 'llm', kind: 'counter', unit: '{request}',
    description: 'LLM API calls, by provider, model, operation and outcome.',
    attributes: ['provider', 'model', 'operation', 'status'],
    replaces: ['claude_api_calls_total'],
  },
  llmLatency: {
    name: 'llm.latency', family: 'llm', kind: 'histogram', unit: 's',
    description: 'LLM API call duration, to the last byte of the response or stream.',
    attributes: ['provider', 'model', 'operation'], buckets: 'PROVIDER_SECONDS',
    replaces: ['digital_actors_llm_latency_seconds', 'claude_api_duration_seconds'],
  },
  llmTimeToFirstToken: {
    name: 'llm.time_to_first_token', family: 'llm', kind: 'histogram', unit: 's',
    description: 'Time from the request to the first content chunk of a streamed LLM response.',
    attributes: ['provider', 'model'], buckets: 'FIRST_OUTPUT_SECONDS',
    replaces: [],
  },
  llmTokens: {
    name: 'llm.tokens', family: 'llm', kind: 'counter', unit: '{token}',
    description: 'Tokens reported by the provider, by type: input (cache reads and writes excluded), cached_input (cache reads), cache_write, output, and the parts reasoning and output_audio (of output) and input_audio (of input).',
    attributes: ['provider', 'model', 'token_type'],
    replaces: ['claude_api_tokens_total'],
  },
  llmErrors: {
    name: 'llm.errors', family: 'llm', kind: 'counter', unit: '{error}',
    description: 'Failed LLM API calls and streams, by error type in the shared taxonomy.',
    attributes: ['provider', 'model', 'error_type'],
    replaces: ['api_errors_total'],
  },
  llmToolCalls: {
    name: 'llm.tool_calls', family: 'llm', kind: 'counter', unit: '{call}',
    description: 'Tool calls the model asked for, by tool name (AI SDK and LangChain.js integrations).',
    attributes: ['provider', 'model', 'tool'],
    replaces: [],
  },
  llmSteps: {
    name: 'llm.steps', family: 'llm', kind: 'counter', unit: '{step}',
    description: 'Model calls (steps of a multi-step run), by why they ended: stop, length, tool_calls, content_filter, error, other.',
    attributes: ['provider', 'model', 'finish_reason'],
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
    attributes: ['tool', 'status'], buckets: 'PROVIDER_SECONDS',
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
    attributes: ['provider', 'model', 'status'],
    replaces: [],
  },
  ttsLatency: {
    name: 'tts.latency', family: 'tts', kind: 'histogram', unit: 's',
    description: 'Text-to-speech call duration, to the last audio byte.',
    attributes: ['provider', 'model', 'status'], buckets: 'PROVIDER_SECONDS',
    replaces: ['digital_actors_tts_latency_seconds'],
  },
  ttsTimeToFirstAudio: {
    name: 'tts.time_to_first_audio', family: 'tts', kind: 'histogram', unit: 's',
    description: 'Time from the text-to-speech request to the first audio byte.',
    attributes: ['provider', 'model'], buckets: 'FIRST_OUTPUT_SECONDS',
    replaces: [],
  },
  ttsCharacters: {
    name: 'tts.characters', family: 'tts', kind: 'counter', unit: '{character}',
    description: 'Characters sent for synthesis.',
    attributes: ['provider', 'model'],
    replaces: [],
  },
  ttsAudio: {
    name: 'tts.audio', family: 'tts', kind: 'counter', unit: 's',
    description: 'Seconds of audio synthesized.',
    attributes: ['provider', 'model'],
    replaces: [],
  },
  ttsErrors: {
    name: 'tts.errors', family: 'tts', kind: 'counter', unit: '{error}',
    description: 'Failed text-to-speech calls, by error type (rate_limit, timeout, ...).',
    attributes: ['provider', 'model', 'error_type'],
    replaces: ['cartesia_tts_error_total'],
  },
  sttRequests: {
    name: 'stt.requests', family: 'stt', kind: 'counter', unit: '{request}',
    description: 'Speech-to-text calls, by provider, model and outcome.',
    attributes: ['provider', 'model', 'status'],
    replaces: ['whisper_api_calls_total'],
  },
  sttLatency: {
    name: 'stt.latency', family: 'stt', kind: 'histogram', unit: 's',
    description: 'Speech-to-text call duration, to the final transcript.',
    attributes: ['provider', 'model', 'status'], buckets: 'PROVIDER_SECONDS',
    replaces: ['whisper_api_duration_seconds'],
  },
  sttAudio: {
    name: 'stt.audio', family: 'stt', kind: 'counter', unit: 's',
    description: 'Seconds of audio transcribed.',
    attributes: ['provider', 'model'],
    replaces: [],
  },
  sttErrors: {
    name: 'stt.errors', family: 'stt', kind: 'counter', unit: '{error}',
    description: 'Failed speech-to-text calls, by error type.',
    attributes: ['provider', 'model', 'error_type'],
    replaces: [],
  },
  turnLatency: {
    name: 'turn.latency', family: 'turns', kind: 'histogram', unit: 's',
    description: 'Voice turn latency: from the end of user speech to the first agent audio.',
    attributes: [], buckets: 'FIRST_OUTPUT_SECONDS',
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
} as const;
