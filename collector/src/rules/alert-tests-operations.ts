import type { Names } from '../metric-names.ts';
import { type AlertTest, alertTest, type ExprTest } from './model.ts';

const HTTP = 'http_server_request_duration_seconds';

/** A service with traffic and no failure has error ratios of 0, not "no data" (an empty panel). */
export function ratioTests({ m, rule, stem }: Names): ExprTest[] {
  return [
    {
      name: 'error ratios are 0 without errors',
      series: [[`${m('requests')}{job="api", status="success"}`, '0+10x10']],
      at: '5m',
      expr: rule(`${stem('requests')}_errors`, 'ratio_rate5m'),
      samples: [['{job="api"}', 0]],
    },
    {
      name: 'the HTTP 5xx ratio is 0 without 5xx',
      series: [[`${HTTP}_count{job="api", http_response_status_code="200"}`, '0+10x10']],
      at: '5m',
      expr: rule('http_server_errors', 'ratio_rate5m'),
      samples: [['{job="api"}', 0]],
    },
    {
      name: 'the cache hit ratio is 0 with misses only',
      series: [[`${m('cacheOperations')}{job="api", cache="c", operation="get", result="miss"}`, '0+10x10']],
      at: '5m',
      expr: rule('cache_hit', 'ratio_rate5m'),
      samples: [['{job="api", cache="c"}', 0]],
    },
    {
      name: 'the health check success ratio is 0 when every check fails',
      series: [[`${m('healthCheckDuration')}_count{job="api", dependency="db", status="unhealthy"}`, '0+10x10']],
      at: '5m',
      expr: rule('health_check_success', 'ratio_rate5m'),
      samples: [['{job="api"}', 0]],
    },
  ];
}

/** promtool unit tests for the HTTP, content-generation, external-API and process alerts. */
export function operationsAlertTests({ m }: Names): AlertTest[] {
  const generation = m('contentGeneration');
  const generationBuckets = `${m('contentGenerationDuration')}_bucket`;
  const external = m('externalApiRequests');
  const externalBuckets = `${m('externalApiDuration')}_bucket`;
  return [
    alertTest(
      'HTTPErrorRateHigh',
      [
        [`${HTTP}_count{job="bad", http_response_status_code="500"}`, '0+6x20'],
        [`${HTTP}_count{job="bad", http_response_status_code="200"}`, '0+54x20'],
        [`${HTTP}_count{job="good", http_response_status_code="503"}`, '0+1x20'],
        [`${HTTP}_count{job="good", http_response_status_code="200"}`, '0+59x20'],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'bad', severity: 'critical' },
            summary: 'HTTP 5xx responses on bad',
            description: '10% of HTTP requests were answered with a 5xx status over the last 5 minutes.',
          },
        ],
      },
    ),
    alertTest(
      'HTTPSlowResponses',
      [
        [`${HTTP}_bucket{job="bad", le="1"}`, '0x20'],
        [`${HTTP}_bucket{job="bad", le="2.5"}`, '0x20'],
        [`${HTTP}_bucket{job="bad", le="5"}`, '0+60x20'],
        [`${HTTP}_bucket{job="bad", le="+Inf"}`, '0+60x20'],
        [`${HTTP}_bucket{job="good", le="1"}`, '0+60x20'],
        [`${HTTP}_bucket{job="good", le="2.5"}`, '0+60x20'],
        [`${HTTP}_bucket{job="good", le="5"}`, '0+60x20'],
        [`${HTTP}_bucket{job="good", le="+Inf"}`, '0+60x20'],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'bad', severity: 'warning' },
            summary: 'Slow HTTP responses on bad',
            description: '95th percentile HTTP response time is 4.875s.',
          },
        ],
      },
    ),
    alertTest(
      'HTTPErrorBudgetBurnFast',
      [
        [`${HTTP}_count{job="burning", http_response_status_code="500"}`, '0+3x100'],
        [`${HTTP}_count{job="burning", http_response_status_code="200"}`, '0+57x100'],
        [`${HTTP}_count{job="recovered", http_response_status_code="500"}`, '0+3x60 180+0x40'],
        [`${HTTP}_count{job="recovered", http_response_status_code="200"}`, '0+57x100'],
        [`${HTTP}_count{job="healthy", http_response_status_code="200"}`, '0+60x100'],
      ],
      {
        silentAt: '0m',
        firesAt: '95m',
        alerts: [
          {
            labels: { job: 'burning', severity: 'critical', slo: 'http_availability' },
            summary: 'burning burns its HTTP availability error budget fast',
            description:
              'At this rate the 30-day error budget (0.1% of HTTP requests answered 5xx) is gone within days.',
          },
        ],
      },
    ),
    alertTest(
      'HTTPErrorBudgetBurnSlow',
      [
        [`${HTTP}_count{job="burning", http_response_status_code="502"}`, '0+3x200'],
        [`${HTTP}_count{job="burning", http_response_status_code="200"}`, '0+597x200'],
        [`${HTTP}_count{job="healthy", http_response_status_code="500"}`, '0+1x200'],
        [`${HTTP}_count{job="healthy", http_response_status_code="200"}`, '0+1999x200'],
      ],
      {
        silentAt: '0m',
        firesAt: '180m',
        alerts: [
          {
            labels: { job: 'burning', severity: 'warning', slo: 'http_availability' },
            summary: 'burning burns its HTTP availability error budget',
            description:
              'At this rate the 30-day error budget (0.1% of HTTP requests answered 5xx) runs out before the month ends.',
          },
        ],
      },
    ),
    alertTest(
      'ContentGenerationFailures',
      [
        [`${generation}{job="api", content_type="podcast", status="error"}`, '0+3x20'],
        [`${generation}{job="api", content_type="podcast", status="success"}`, '0+7x20'],
        [`${generation}{job="api", content_type="quiz", status="error"}`, '0+1x20'],
        [`${generation}{job="api", content_type="quiz", status="success"}`, '0+19x20'],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'api', content_type: 'podcast', severity: 'warning' },
            summary: 'podcast generation fails on api',
            description: '30% of podcast generations failed over the last 5 minutes.',
          },
        ],
      },
    ),
    alertTest(
      'ContentGenerationSlow',
      [
        [`${generationBuckets}{job="api", content_type="podcast", status="success", le="30"}`, '0x30'],
        [`${generationBuckets}{job="api", content_type="podcast", status="success", le="60"}`, '0x30'],
        [`${generationBuckets}{job="api", content_type="podcast", status="success", le="120"}`, '0+10x30'],
        [`${generationBuckets}{job="api", content_type="podcast", status="success", le="+Inf"}`, '0+10x30'],
        [`${generationBuckets}{job="api", content_type="quiz", status="success", le="30"}`, '0+10x30'],
        [`${generationBuckets}{job="api", content_type="quiz", status="success", le="60"}`, '0+10x30'],
        [`${generationBuckets}{job="api", content_type="quiz", status="success", le="120"}`, '0+10x30'],
        [`${generationBuckets}{job="api", content_type="quiz", status="success", le="+Inf"}`, '0+10x30'],
      ],
      {
        silentAt: '8m',
        firesAt: '20m',
        alerts: [
          {
            labels: { job: 'api', content_type: 'podcast', severity: 'warning' },
            summary: 'Slow podcast generation on api',
            description: '95th percentile generation time is 1m 57s.',
          },
        ],
      },
    ),
    alertTest(
      'ExternalAPIDown',
      [
        [`${external}{job="api", service="stripe", endpoint="/charges", status="error"}`, '0+5x20'],
        [`${external}{job="api", service="maps", endpoint="/geocode", status="error"}`, '0+4x20'],
        [`${external}{job="api", service="maps", endpoint="/geocode", status="success"}`, '0+1x20'],
      ],
      {
        silentAt: '1m',
        firesAt: '5m',
        alerts: [
          {
            labels: { job: 'api', service: 'stripe', severity: 'critical' },
            summary: 'External API stripe is down for api',
            description: 'Every call to stripe failed over the last 5 minutes.',
          },
        ],
      },
    ),
    alertTest(
      'ExternalAPIErrorRateHigh',
      [
        [`${external}{job="api", service="maps", endpoint="/geocode", status="error"}`, '0+1x20'],
        [`${external}{job="api", service="maps", endpoint="/geocode", status="success"}`, '0+4x20'],
        [`${external}{job="api", service="search", endpoint="/query", status="error"}`, '0+1x20'],
        [`${external}{job="api", service="search", endpoint="/query", status="success"}`, '0+19x20'],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'api', service: 'maps', severity: 'warning' },
            summary: 'External API maps fails for api',
            description: '20% of calls to maps failed over the last 5 minutes.',
          },
        ],
      },
    ),
    alertTest(
      'ExternalAPISlow',
      [
        [`${externalBuckets}{job="api", service="maps", endpoint="/geocode", status="success", le="1"}`, '0x20'],
        [`${externalBuckets}{job="api", service="maps", endpoint="/geocode", status="success", le="5"}`, '0x20'],
        [`${externalBuckets}{job="api", service="maps", endpoint="/geocode", status="success", le="10"}`, '0+10x20'],
        [`${externalBuckets}{job="api", service="maps", endpoint="/geocode", status="success", le="+Inf"}`, '0+10x20'],
        [`${externalBuckets}{job="api", service="search", endpoint="/query", status="success", le="1"}`, '0+10x20'],
        [`${externalBuckets}{job="api", service="search", endpoint="/query", status="success", le="5"}`, '0+10x20'],
        [`${externalBuckets}{job="api", service="search", endpoint="/query", status="success", le="10"}`, '0+10x20'],
        [`${externalBuckets}{job="api", service="search", endpoint="/query", status="success", le="+Inf"}`, '0+10x20'],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'api', service: 'maps', severity: 'warning' },
            summary: 'Slow external API maps for api',
            description: '95th percentile call time to maps is 9.75s.',
          },
        ],
      },
    ),
    alertTest(
      'ProcessCPUHigh',
      [
        ['process_cpu_utilization{job="api", instance="a:9464", process_cpu_state="user"}', '0.75+0x30'],
        ['process_cpu_utilization{job="api", instance="a:9464", process_cpu_state="system"}', '0.25+0x30'],
        ['process_cpu_utilization{job="api", instance="b:9464", process_cpu_state="user"}', '0.5+0x30'],
        ['process_cpu_utilization{job="api", instance="b:9464", process_cpu_state="system"}', '0.25+0x30'],
      ],
      {
        silentAt: '5m',
        firesAt: '15m',
        alerts: [
          {
            labels: { job: 'api', instance: 'a:9464', severity: 'warning' },
            summary: 'api a:9464 is CPU bound',
            description: 'The process used 100% CPU for 10 minutes.',
          },
        ],
      },
    ),
    alertTest(
      'ProcessMemoryHigh',
      [
        ['process_memory_usage{job="api", instance="a:9464"}', '2147483648+0x30'],
        ['process_memory_usage{job="api", instance="b:9464"}', '536870912+0x30'],
      ],
      {
        silentAt: '5m',
        firesAt: '15m',
        alerts: [
          {
            labels: { job: 'api', instance: 'a:9464', severity: 'warning' },
            summary: 'api a:9464 uses a lot of memory',
            description: 'Resident memory is 2GiB.',
          },
        ],
      },
    ),
    alertTest(
      'EventLoopDelayHigh',
      [
        ['nodejs_eventloop_delay_p99_seconds{job="api", instance="a:9464"}', '0.5+0x20'],
        ['nodejs_eventloop_delay_p99_seconds{job="api", instance="b:9464"}', '0.05+0x20'],
      ],
      {
        silentAt: '4m',
        firesAt: '10m',
        alerts: [
          {
            labels: { job: 'api', instance: 'a:9464', severity: 'warning' },
            summary: 'Event loop of api a:9464 is blocked',
            description: '99th percentile event-loop delay is 500ms; requests wait behind synchronous work.',
          },
        ],
      },
    ),
  ];
}
