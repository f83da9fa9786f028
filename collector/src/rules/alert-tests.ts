import type { Names } from '../metric-names.ts';
import { type AlertTest, alertTest } from './model.ts';

/**
 * promtool unit tests for the seed alerts: each feeds one series set that should fire and one that
 * should not (a different job, provider, pool, ...), checks that nothing fires while the `for`
 * duration is pending, and that exactly the bad series fires afterwards.
 */
export function seedAlertTests({ ns }: Names): AlertTest[] {
  return [
    alertTest(
      'HighErrorRate',
      [
        [`${ns}_requests_total{job="bad", status="error"}`, '0+6x20'],
        [`${ns}_requests_total{job="bad", status="success"}`, '0+54x20'],
        [`${ns}_requests_total{job="good", status="error"}`, '0+1x20'],
        [`${ns}_requests_total{job="good", status="success"}`, '0+59x20'],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'bad', severity: 'warning' },
            summary: 'High error rate on bad',
            description: '10% of requests failed over the last 5 minutes.',
          },
        ],
      },
    ),
    alertTest(
      'SlowResponses',
      [
        [`${ns}_response_time_seconds_bucket{job="bad", le="5"}`, '0x20'],
        [`${ns}_response_time_seconds_bucket{job="bad", le="10"}`, '0x20'],
        [`${ns}_response_time_seconds_bucket{job="bad", le="30"}`, '0+60x20'],
        [`${ns}_response_time_seconds_bucket{job="bad", le="+Inf"}`, '0+60x20'],
        [`${ns}_response_time_seconds_bucket{job="good", le="5"}`, '0+60x20'],
        [`${ns}_response_time_seconds_bucket{job="good", le="10"}`, '0+60x20'],
        [`${ns}_response_time_seconds_bucket{job="good", le="30"}`, '0+60x20'],
        [`${ns}_response_time_seconds_bucket{job="good", le="+Inf"}`, '0+60x20'],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'bad', severity: 'warning' },
            summary: 'Slow responses on bad',
            description: '95th percentile response time is 29s.',
          },
        ],
      },
    ),
    alertTest(
      'NoRequests',
      [
        [`${ns}_requests_total{job="idle", status="success"}`, '5+0x30'],
        [`${ns}_requests_total{job="busy", status="success"}`, '0+10x30'],
      ],
      {
        silentAt: '8m',
        firesAt: '20m',
        alerts: [
          {
            labels: { job: 'idle', severity: 'critical' },
            summary: 'No requests on idle',
            description: 'The service handled no request in the last 15 minutes; it may be down or unreachable.',
          },
        ],
      },
    ),
    alertTest(
      'ServiceDown',
      [
        [`up{job="${ns}", instance="10.0.0.1:9464"}`, '1 1 0 0 0 0'],
        [`up{job="${ns}", instance="10.0.0.2:9464"}`, '1x5'],
      ],
      {
        silentAt: '2m',
        firesAt: '5m',
        alerts: [
          {
            labels: { job: `${ns}`, instance: '10.0.0.1:9464', severity: 'critical' },
            summary: `${ns} target 10.0.0.1:9464 is down`,
            description: "Prometheus (or the Collector's scrape) cannot reach 10.0.0.1:9464/metrics.",
          },
        ],
      },
    ),
    alertTest(
      'HealthCheckFailing',
      [
        [`${ns}_health_check_status{job="api", dependency="redis"}`, '1 1 0 0 0 0 0'],
        [`${ns}_health_check_status{job="api", dependency="postgres"}`, '1x6'],
      ],
      {
        silentAt: '3m',
        firesAt: '6m',
        alerts: [
          {
            labels: { job: 'api', dependency: 'redis', severity: 'critical' },
            summary: 'Dependency redis of api is unhealthy',
            description: 'The last health checks of redis failed for 2 minutes.',
          },
        ],
      },
    ),
    alertTest(
      'SlowLLMCalls',
      [
        [`${ns}_llm_latency_seconds_bucket{job="api", provider="openai", model="gpt-4o", le="20"}`, '0x20'],
        [`${ns}_llm_latency_seconds_bucket{job="api", provider="openai", model="gpt-4o", le="30"}`, '0x20'],
        [`${ns}_llm_latency_seconds_bucket{job="api", provider="openai", model="gpt-4o", le="60"}`, '0+60x20'],
        [`${ns}_llm_latency_seconds_bucket{job="api", provider="openai", model="gpt-4o", le="+Inf"}`, '0+60x20'],
        [
          `${ns}_llm_latency_seconds_bucket{job="api", provider="anthropic", model="claude-sonnet", le="20"}`,
          '0+60x20',
        ],
        [
          `${ns}_llm_latency_seconds_bucket{job="api", provider="anthropic", model="claude-sonnet", le="30"}`,
          '0+60x20',
        ],
        [
          `${ns}_llm_latency_seconds_bucket{job="api", provider="anthropic", model="claude-sonnet", le="60"}`,
          '0+60x20',
        ],
        [
          `${ns}_llm_latency_seconds_bucket{job="api", provider="anthropic", model="claude-sonnet", le="+Inf"}`,
          '0+60x20',
        ],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'api', provider: 'openai', model: 'gpt-4o', severity: 'warning' },
            summary: 'Slow LLM calls to openai gpt-4o',
            description: '95th percentile LLM latency is 58.5s.',
          },
        ],
      },
    ),
    alertTest(
      'LLMAPIFailures',
      [
        [
          `${ns}_llm_requests_total{job="api", provider="openai", model="gpt-4o", operation="chat", status="error"}`,
          '0+12x20',
        ],
        [
          `${ns}_llm_requests_total{job="api", provider="openai", model="gpt-4o", operation="chat", status="success"}`,
          '0+48x20',
        ],
        [
          `${ns}_llm_requests_total{job="api", provider="anthropic", model="claude-sonnet", operation="chat", status="success"}`,
          '0+60x20',
        ],
      ],
      {
        silentAt: '2m',
        firesAt: '6m',
        alerts: [
          {
            labels: { job: 'api', provider: 'openai', model: 'gpt-4o', severity: 'critical' },
            summary: 'LLM API failures on openai gpt-4o',
            description: '20% of LLM calls failed over the last 5 minutes.',
          },
        ],
      },
    ),
    alertTest(
      'LLMStreamErrorRateHigh',
      [
        [`${ns}_llm_errors_total{job="api", provider="openai", model="gpt-4o", error_type="stream_error"}`, '0+10x20'],
        [
          `${ns}_llm_errors_total{job="api", provider="anthropic", model="claude-sonnet", error_type="stream_error"}`,
          '0+2x20',
        ],
        [
          `${ns}_llm_errors_total{job="api", provider="anthropic", model="claude-sonnet", error_type="timeout"}`,
          '0+20x20',
        ],
      ],
      {
        silentAt: '3m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'api', provider: 'openai', model: 'gpt-4o', severity: 'warning' },
            summary: 'LLM stream errors on openai gpt-4o',
            description: '10 streams per minute broke mid-response.',
          },
        ],
      },
    ),
    alertTest(
      'LLMStreamTimeoutHigh',
      [
        [`${ns}_llm_errors_total{job="api", provider="openai", model="gpt-4o", error_type="timeout"}`, '0+6x20'],
        [
          `${ns}_llm_errors_total{job="api", provider="anthropic", model="claude-sonnet", error_type="timeout"}`,
          '0+1x20',
        ],
        [
          `${ns}_llm_errors_total{job="api", provider="anthropic", model="claude-sonnet", error_type="stream_error"}`,
          '0+20x20',
        ],
      ],
      {
        silentAt: '3m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'api', provider: 'openai', model: 'gpt-4o', severity: 'critical' },
            summary: 'LLM timeouts on openai gpt-4o',
            description: '6 LLM calls per minute timed out.',
          },
        ],
      },
    ),
    alertTest(
      'SlowTTSProcessing',
      [
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", status="success", le="3"}`,
          '0x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", status="success", le="5"}`,
          '0x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", status="success", le="10"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", status="success", le="+Inf"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", status="success", le="3"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", status="success", le="5"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", status="success", le="10"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_latency_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", status="success", le="+Inf"}`,
          '0+60x20',
        ],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'voice', provider: 'cartesia', model: 'sonic-2', severity: 'warning' },
            summary: 'Slow text-to-speech on cartesia sonic-2',
            description: '95th percentile TTS latency is 9.75s.',
          },
        ],
      },
    ),
    alertTest(
      'TTSRateLimitHigh',
      [
        [
          `${ns}_tts_errors_total{job="voice", provider="cartesia", model="sonic-2", error_type="rate_limit"}`,
          '0+10x20',
        ],
        [
          `${ns}_tts_errors_total{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", error_type="rate_limit"}`,
          '0+2x20',
        ],
        [
          `${ns}_tts_errors_total{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", error_type="timeout"}`,
          '0+30x20',
        ],
      ],
      {
        silentAt: '2m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'voice', provider: 'cartesia', severity: 'warning' },
            summary: 'cartesia TTS is rate limiting',
            description: '10 TTS calls per minute were rate limited.',
          },
        ],
      },
    ),
    // Scraped every 15 s, so that [1m] holds four samples: Prometheus 3 ranges are left-open, and
    // one-minute samples would leave a single one in [1m], for which rate() gives nothing.
    alertTest(
      'TTSRateLimitCritical',
      [
        [
          `${ns}_tts_errors_total{job="voice", provider="cartesia", model="sonic-2", error_type="rate_limit"}`,
          '0+7.5x80',
        ],
        [
          `${ns}_tts_errors_total{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", error_type="rate_limit"}`,
          '0+2.5x80',
        ],
      ],
      {
        interval: '15s',
        silentAt: '1m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'voice', provider: 'cartesia', severity: 'critical' },
            summary: 'cartesia TTS is rate limiting heavily',
            description: '30 TTS calls per minute were rate limited.',
          },
        ],
      },
    ),
    alertTest(
      'TTSErrorRateHigh',
      [
        [`${ns}_tts_errors_total{job="voice", provider="cartesia", model="sonic-2", error_type="timeout"}`, '0+8x20'],
        [
          `${ns}_tts_errors_total{job="voice", provider="cartesia", model="sonic-2", error_type="server_error"}`,
          '0+8x20',
        ],
        [
          `${ns}_tts_errors_total{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", error_type="timeout"}`,
          '0+4x20',
        ],
      ],
      {
        silentAt: '3m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'voice', provider: 'cartesia', severity: 'warning' },
            summary: 'cartesia TTS errors are high',
            description: '16 TTS calls per minute failed.',
          },
        ],
      },
    ),
    alertTest(
      'TimeToFirstAudioSlow',
      [
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", le="1.5"}`,
          '0x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", le="2"}`,
          '0x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", le="3"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="cartesia", model="sonic-2", le="+Inf"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", le="1.5"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", le="2"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", le="3"}`,
          '0+60x20',
        ],
        [
          `${ns}_tts_time_to_first_audio_seconds_bucket{job="voice", provider="elevenlabs", model="eleven_flash_v2_5", le="+Inf"}`,
          '0+60x20',
        ],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'voice', provider: 'cartesia', model: 'sonic-2', severity: 'warning' },
            summary: 'Slow first audio from cartesia sonic-2',
            description: '95th percentile time to first audio is 2.95s.',
          },
        ],
      },
    ),
    alertTest(
      'HighAPICosts',
      [
        [`${ns}_api_cost_usd_total{job="expensive", provider="openai", service="llm", model="gpt-4o"}`, '0+0.06x150'],
        [`${ns}_api_cost_usd_total{job="cheap", provider="openai", service="llm", model="gpt-4o-mini"}`, '0+0.006x150'],
      ],
      {
        silentAt: '30m',
        firesAt: '90m',
        alerts: [
          {
            labels: { job: 'expensive', severity: 'warning' },
            summary: 'Provider costs of expensive trend above budget',
            description: "At the last hour's rate, the service spends 2.592k USD per 30 days.",
          },
        ],
      },
    ),
    alertTest(
      'SlowDatabaseQueries',
      [
        [
          `${ns}_db_query_duration_seconds_bucket{job="api", db_system="postgresql", operation="SELECT", table="users", status="success", le="0.5"}`,
          '0x20',
        ],
        [
          `${ns}_db_query_duration_seconds_bucket{job="api", db_system="postgresql", operation="SELECT", table="users", status="success", le="1"}`,
          '0x20',
        ],
        [
          `${ns}_db_query_duration_seconds_bucket{job="api", db_system="postgresql", operation="SELECT", table="users", status="success", le="2.5"}`,
          '0+60x20',
        ],
        [
          `${ns}_db_query_duration_seconds_bucket{job="api", db_system="postgresql", operation="SELECT", table="users", status="success", le="+Inf"}`,
          '0+60x20',
        ],
        [
          `${ns}_db_query_duration_seconds_bucket{job="api", db_system="mysql", operation="SELECT", table="users", status="success", le="0.5"}`,
          '0+60x20',
        ],
        [
          `${ns}_db_query_duration_seconds_bucket{job="api", db_system="mysql", operation="SELECT", table="users", status="success", le="1"}`,
          '0+60x20',
        ],
        [
          `${ns}_db_query_duration_seconds_bucket{job="api", db_system="mysql", operation="SELECT", table="users", status="success", le="2.5"}`,
          '0+60x20',
        ],
        [
          `${ns}_db_query_duration_seconds_bucket{job="api", db_system="mysql", operation="SELECT", table="users", status="success", le="+Inf"}`,
          '0+60x20',
        ],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'api', db_system: 'postgresql', severity: 'warning' },
            summary: 'Slow postgresql queries on api',
            description: '95th percentile query time is 2.425s.',
          },
        ],
      },
    ),
    alertTest(
      'DatabasePoolExhausted',
      [
        [`${ns}_db_connections_active{job="api", db_system="postgresql", pool="main"}`, '9x20'],
        [`${ns}_db_connections_max{job="api", db_system="postgresql", pool="main"}`, '10x20'],
        [`${ns}_db_connections_active{job="api", db_system="postgresql", pool="reports"}`, '5x20'],
        [`${ns}_db_connections_max{job="api", db_system="postgresql", pool="reports"}`, '10x20'],
        [`${ns}_db_connections_active{job="api", db_system="mysql", pool="unsized"}`, '0x20'],
        [`${ns}_db_connections_max{job="api", db_system="mysql", pool="unsized"}`, '0x20'],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'api', db_system: 'postgresql', pool: 'main', severity: 'critical' },
            summary: 'postgresql pool main on api is nearly exhausted',
            description: "90% of the pool's connections are in use.",
          },
        ],
      },
    ),
    alertTest(
      'LowCacheHitRatio',
      [
        [`${ns}_cache_operations_total{job="api", cache="sessions", operation="get", result="hit"}`, '0+10x30'],
        [`${ns}_cache_operations_total{job="api", cache="sessions", operation="get", result="miss"}`, '0+30x30'],
        [`${ns}_cache_operations_total{job="api", cache="users", operation="get", result="hit"}`, '0+50x30'],
        [`${ns}_cache_operations_total{job="api", cache="users", operation="get", result="miss"}`, '0+10x30'],
        [`${ns}_cache_operations_total{job="api", cache="users", operation="set", result="ok"}`, '0+500x30'],
      ],
      {
        silentAt: '8m',
        firesAt: '20m',
        alerts: [
          {
            labels: { job: 'api', cache: 'sessions', severity: 'warning' },
            summary: 'Low cache hit ratio on api',
            description: 'Only 25% of cache reads hit.',
          },
        ],
      },
    ),
    alertTest(
      'AvailabilityErrorBudgetBurnFast',
      [
        [`${ns}_requests_total{job="burning", status="error"}`, '0+3x100'],
        [`${ns}_requests_total{job="burning", status="success"}`, '0+57x100'],
        [`${ns}_requests_total{job="recovered", status="error"}`, '0+3x60 180+0x40'],
        [`${ns}_requests_total{job="recovered", status="success"}`, '0+57x100'],
        [`${ns}_requests_total{job="healthy", status="success"}`, '0+60x100'],
      ],
      {
        silentAt: '0m',
        firesAt: '95m',
        alerts: [
          {
            labels: { job: 'burning', severity: 'critical', slo: 'availability' },
            summary: 'burning burns its availability error budget fast',
            description: 'At this rate the 30-day error budget (0.1% of requests) is gone within days.',
          },
        ],
      },
    ),
    alertTest(
      'AvailabilityErrorBudgetBurnSlow',
      [
        [`${ns}_requests_total{job="burning", status="error"}`, '0+3x200'],
        [`${ns}_requests_total{job="burning", status="success"}`, '0+597x200'],
        [`${ns}_requests_total{job="healthy", status="error"}`, '0+1x200'],
        [`${ns}_requests_total{job="healthy", status="success"}`, '0+1999x200'],
      ],
      {
        silentAt: '0m',
        firesAt: '180m',
        alerts: [
          {
            labels: { job: 'burning', severity: 'warning', slo: 'availability' },
            summary: 'burning burns its availability error budget',
            description: 'At this rate the 30-day error budget (0.1% of requests) runs out before the month ends.',
          },
        ],
      },
    ),
    alertTest(
      'LatencyErrorBudgetBurnFast',
      [
        [`${ns}_response_time_seconds_bucket{job="slow", le="2.5"}`, '0+48x100'],
        [`${ns}_response_time_seconds_count{job="slow"}`, '0+60x100'],
        [`${ns}_response_time_seconds_bucket{job="fast", le="2.5"}`, '0+60x100'],
        [`${ns}_response_time_seconds_count{job="fast"}`, '0+60x100'],
      ],
      {
        silentAt: '0m',
        firesAt: '30m',
        alerts: [
          {
            labels: { job: 'slow', severity: 'critical', slo: 'latency' },
            summary: 'slow burns its latency error budget fast',
            description: 'At this rate the 30-day error budget (1% of requests slower than 2.5 s) is gone within days.',
          },
        ],
      },
    ),
    alertTest(
      'LatencyErrorBudgetBurnSlow',
      [
        [`${ns}_response_time_seconds_bucket{job="slow", le="2.5"}`, '0+96x200'],
        [`${ns}_response_time_seconds_count{job="slow"}`, '0+100x200'],
        [`${ns}_response_time_seconds_bucket{job="fast", le="2.5"}`, '0+199x200'],
        [`${ns}_response_time_seconds_count{job="fast"}`, '0+200x200'],
      ],
      {
        silentAt: '0m',
        firesAt: '180m',
        alerts: [
          {
            labels: { job: 'slow', severity: 'warning', slo: 'latency' },
            summary: 'slow burns its latency error budget',
            description:
              'At this rate the 30-day error budget (1% of requests slower than 2.5 s) runs out before the month ends.',
          },
        ],
      },
    ),
  ];
}
