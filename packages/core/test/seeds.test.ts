import { describe, expect, it } from 'vitest';
import { CATALOG, EXTERNAL_METRICS, SEED_RECORDING_RULES } from '../src/index.ts';

/** Every metric name the seed monitoring guides mention, by guide. */
const SEED_METRICS: Readonly<Record<string, readonly string[]>> = {
  'Digital Actors': [
    'digital_actors_requests_total',
    'digital_actors_errors_total',
    'digital_actors_response_time_seconds',
    'digital_actors_llm_latency_seconds',
    'digital_actors_tts_latency_seconds',
    'digital_actors_db_query_time_seconds',
    'digital_actors_active_sessions',
  ],
  'Learning Voice Agent': [
    'http_requests_total',
    'http_request_duration_seconds',
    'http_requests_in_progress',
    'claude_api_calls_total',
    'claude_api_duration_seconds',
    'claude_api_tokens_total',
    'whisper_api_calls_total',
    'whisper_api_duration_seconds',
    'websocket_connections_active',
    'websocket_messages_total',
    'websocket_connection_duration_seconds',
    'database_queries_total',
    'database_query_duration_seconds',
    'database_connections_active',
    'cache_operations_total',
    'cache_hit_ratio',
    'sessions_active',
    'sessions_total',
    'session_duration_seconds',
    'conversation_exchanges_total',
    'conversation_quality_score',
    'user_engagement_score',
    'api_cost_total',
    'errors_total',
    'api_errors_total',
  ],
  'Voice Agent v4': ['cartesia_tts_error_total'],
  'La Factoria': [
    'http_requests_total',
    'http_request_duration_seconds',
    'http_requests_active',
    'content_generation_total',
    'content_generation_duration_seconds',
    'audio_generation_total',
    'audio_generation_duration_seconds',
    'database_connections_active',
    'database_connections_max',
    'database_query_duration_seconds',
    'database_transactions_total',
    'cache_operations_total',
    'cache_hit_ratio',
    'sli_health_check_success_rate',
    'sli_api_latency_p95',
    'sli_api_latency_p99',
    'sli_api_error_rate',
  ],
};

describe('seed metric mapping', () => {
  const replaced = new Set([
    ...Object.values(CATALOG).flatMap((spec) => spec.replaces),
    ...EXTERNAL_METRICS.flatMap((spec) => spec.replaces),
    ...Object.keys(SEED_RECORDING_RULES),
  ]);

  it.each(Object.entries(SEED_METRICS))(
    'maps every %s metric to a catalog entry, a semconv metric or a recording rule',
    (_, names) => {
      expect(names.filter((name) => !replaced.has(name))).toEqual([]);
    },
  );

  it('names no seed metric twice', () => {
    const all = [...Object.values(CATALOG).flatMap((s) => s.replaces), ...EXTERNAL_METRICS.flatMap((s) => s.replaces)];
    expect(all.length).toBe(new Set(all).size);
  });
});
