import { describe, expect, it } from 'vitest';
import { CATALOG, CATALOG_KEYS, createAgentMeter, prometheusName } from '../src/index.ts';

describe('prometheusName', () => {
  it.each([
    ['agentmeter.llm.latency', 's', 'histogram', 'agentmeter_llm_latency_seconds'],
    ['agentmeter.requests', '{request}', 'counter', 'agentmeter_requests_total'],
    ['agentmeter.requests_total', '{request}', 'counter', 'agentmeter_requests_total'],
    ['agentmeter.stt.audio', 's', 'counter', 'agentmeter_stt_audio_seconds_total'],
    ['agentmeter.cache.hit_ratio', '1', 'gauge', 'agentmeter_cache_hit_ratio'],
    ['agentmeter.cpu.utilization', '1', 'gauge', 'agentmeter_cpu_utilization_ratio'],
    ['agentmeter.active_sessions', '{session}', 'updowncounter', 'agentmeter_active_sessions'],
    ['agentmeter.websocket.traffic', 'By', 'counter', 'agentmeter_websocket_traffic_bytes_total'],
    ['http.server.request.duration', 's', 'histogram', 'http_server_request_duration_seconds'],
    ['net.io', 'By/s', 'gauge', 'net_io_bytes_per_second'],
    ['latency.seconds', 's', 'histogram', 'latency_seconds'],
    ['weird..name--x', '', 'gauge', 'weird_name_x'],
    ['1abc', '', 'gauge', '_1abc'],
  ] as const)('%s [%s, %s] -> %s', (name, unit, kind, expected) => {
    expect(prometheusName(name, unit, kind)).toBe(expected);
  });
});

describe('catalog names', () => {
  it('are unique and match the design brief under the default namespace', () => {
    const meter = createAgentMeter();
    const names = CATALOG_KEYS.map((key) => meter.instruments[key].prometheusName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        'agentmeter_requests_total',
        'agentmeter_response_time_seconds',
        'agentmeter_errors_total',
        'agentmeter_active_sessions',
        'agentmeter_sessions_total',
        'agentmeter_session_duration_seconds',
        'agentmeter_llm_requests_total',
        'agentmeter_llm_latency_seconds',
        'agentmeter_llm_time_to_first_token_seconds',
        'agentmeter_llm_tokens_total',
        'agentmeter_llm_errors_total',
        'agentmeter_api_cost_usd_total',
        'agentmeter_tts_requests_total',
        'agentmeter_tts_latency_seconds',
        'agentmeter_tts_time_to_first_audio_seconds',
        'agentmeter_tts_characters_total',
        'agentmeter_tts_errors_total',
        'agentmeter_stt_requests_total',
        'agentmeter_stt_latency_seconds',
        'agentmeter_stt_audio_seconds_total',
        'agentmeter_stt_errors_total',
        'agentmeter_turn_latency_seconds',
        'agentmeter_voice_events_dropped_total',
        'agentmeter_voice_interruptions_total',
        'agentmeter_websocket_connections_active',
        'agentmeter_websocket_messages_total',
        'agentmeter_websocket_connection_duration_seconds',
        'agentmeter_db_query_duration_seconds',
        'agentmeter_db_queries_total',
        'agentmeter_db_connections_active',
        'agentmeter_db_connections_max',
        'agentmeter_db_transactions_total',
        'agentmeter_cache_operations_total',
        'agentmeter_cache_hit_ratio',
        'agentmeter_conversation_exchanges_total',
        'agentmeter_conversation_quality_score',
        'agentmeter_user_engagement_score',
        'agentmeter_content_generation_total',
        'agentmeter_content_generation_duration_seconds',
        'agentmeter_external_api_requests_total',
        'agentmeter_external_api_duration_seconds',
        'agentmeter_health_check_status',
        'agentmeter_health_check_duration_seconds',
      ]),
    );
  });

  it("reproduces the Digital Actors seed's names with namespace digital_actors", () => {
    const { instruments } = createAgentMeter({ namespace: 'digital_actors' });
    expect(instruments.requests.prometheusName).toBe('digital_actors_requests_total');
    expect(instruments.errors.prometheusName).toBe('digital_actors_errors_total');
    expect(instruments.responseTime.prometheusName).toBe('digital_actors_response_time_seconds');
    expect(instruments.llmLatency.prometheusName).toBe('digital_actors_llm_latency_seconds');
    expect(instruments.ttsLatency.prometheusName).toBe('digital_actors_tts_latency_seconds');
    expect(instruments.activeSessions.prometheusName).toBe('digital_actors_active_sessions');
    // The seed's db_query_time_seconds is replaced by db_query_duration_seconds, and documented so.
    expect(instruments.dbQueryDuration.prometheusName).toBe('digital_actors_db_query_duration_seconds');
    expect(CATALOG.dbQueryDuration.replaces).toContain('digital_actors_db_query_time_seconds');
  });

  it('gives every histogram strictly increasing, finite buckets', () => {
    for (const spec of Object.values(CATALOG)) {
      if (spec.kind !== 'histogram') {
        expect(spec.buckets).toBeUndefined();
        continue;
      }
      const buckets = spec.buckets ?? [];
      expect(buckets.length, spec.name).toBeGreaterThan(3);
      buckets.forEach((bound, i) => {
        expect(Number.isFinite(bound)).toBe(true);
        if (i > 0) expect(bound).toBeGreaterThan(buckets[i - 1]!);
      });
    }
  });
});
