import type { Names } from '../metric-names.ts';
import { type AlertTest, alertTest } from './model.ts';

/** promtool unit tests for the database, cache and SLO burn-rate alerts (see seedAlertTests). */
export function dataAndSloAlertTests({ ns }: Names): AlertTest[] {
  return [
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
