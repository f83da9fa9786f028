import type { Names } from '../metric-names.ts';
import { type AlertTest, alertTest } from './model.ts';
import { dataAndSloAlertTests } from './alert-tests-data.ts';
import { voiceAndCostAlertTests } from './alert-tests-voice.ts';

/**
 * promtool unit tests for the seed alerts: each feeds one series set that should fire and one that
 * should not (a different job, provider, pool, ...), checks that nothing fires while the `for`
 * duration is pending, and that exactly the bad series fires afterwards.
 */
export function seedAlertTests(names: Names): AlertTest[] {
  const { ns } = names;
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
    ...voiceAndCostAlertTests(names),
    ...dataAndSloAlertTests(names),
  ];
}
