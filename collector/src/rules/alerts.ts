import type { Names } from '../metric-names.ts';
import type { AlertRule, RuleGroup, Severity } from './model.ts';
import { operationsAlertGroups } from './alerts-operations.ts';
import { SLOW_SECONDS } from './recording.ts';

interface BurnRateSlo {
  /** Alert name stem: `<stem>ErrorBudgetBurnFast` and `...Slow`. */
  readonly stem: string;
  /** The `slo` label. */
  readonly slo: string;
  /** The recording rule stem of the bad-event ratio (`<ns>:<ratio>:ratio_rate<window>`). */
  readonly ratio: string;
  /** The error budget as a ratio (0.001 for a 99.9% SLO). */
  readonly budget: string;
  /** The SLO in the summary (`HTTP availability`). */
  readonly title: string;
  /** The budget in words. */
  readonly what: string;
}

/**
 * Multiwindow, multi-burn-rate alerts (Google SRE workbook, chapter 5): a page when 2% of the
 * 30-day budget burns in 1 h or 5% in 6 h, a ticket when 10% burns in 3 days.
 */
function burnRateAlerts(n: Names, slo: BurnRateSlo): AlertRule[] {
  const r = (window: string): string => n.rule(slo.ratio, `ratio_rate${window}`);
  const pair = (long: string, short: string, factor: string): string => {
    const bound = factor === '1' ? slo.budget : `(${factor} * ${slo.budget})`;
    return `(${r(long)} > ${bound} and ${r(short)} > ${bound})`;
  };
  const alert = (
    speed: 'Fast' | 'Slow',
    severity: Severity,
    expr: string,
    summary: string,
    description: string,
  ): AlertRule => ({
    alert: `${slo.stem}ErrorBudgetBurn${speed}`,
    expr,
    severity,
    labels: { slo: slo.slo },
    summary,
    description,
  });
  return [
    alert(
      'Fast',
      'critical',
      `${pair('1h', '5m', '14.4')}\nor\n${pair('6h', '30m', '6')}\n`,
      `{{ $labels.job }} burns its ${slo.title} error budget fast`,
      `At this rate the 30-day error budget (${slo.what}) is gone within days.`,
    ),
    alert(
      'Slow',
      'warning',
      `${pair('1d', '2h', '3')}\nor\n${pair('3d', '6h', '1')}\n`,
      `{{ $labels.job }} burns its ${slo.title} error budget`,
      `At this rate the 30-day error budget (${slo.what}) runs out before the month ends.`,
    ),
  ];
}

/**
 * The alert rules, generalised from the seed guides: one rule per condition over the catalog's
 * families (a `provider` label instead of one rule per vendor). Thresholds follow the seeds.
 */
export function alertGroups(n: Names): RuleGroup<AlertRule>[] {
  const { ns } = n;
  return [
    {
      name: `${ns}_service`,
      rules: [
        {
          alert: 'HighErrorRate',
          expr: `${ns}:requests_errors:ratio_rate5m > 0.05`,
          for: '5m',
          severity: 'warning',
          summary: 'High error rate on {{ $labels.job }}',
          description: '{{ $value | humanizePercentage }} of requests failed over the last 5 minutes.',
        },
        {
          alert: 'SlowResponses',
          expr: `${ns}:response_time_seconds:p95_5m > 10`,
          for: '5m',
          severity: 'warning',
          summary: 'Slow responses on {{ $labels.job }}',
          description: '95th percentile response time is {{ $value | humanizeDuration }}.',
        },
        {
          alert: 'NoRequests',
          expr: `sum by (job) (rate(${ns}_requests_total[5m])) == 0`,
          for: '10m',
          severity: 'critical',
          summary: 'No requests on {{ $labels.job }}',
          description: 'The service handled no request in the last 15 minutes; it may be down or unreachable.',
        },
        {
          alert: 'ServiceDown',
          expr: 'up == 0',
          for: '1m',
          severity: 'critical',
          summary: '{{ $labels.job }} target {{ $labels.instance }} is down',
          description: "Prometheus (or the Collector's scrape) cannot reach {{ $labels.instance }}/metrics.",
        },
        {
          alert: 'HealthCheckFailing',
          expr: `${ns}_health_check_status == 0`,
          for: '2m',
          severity: 'critical',
          summary: 'Dependency {{ $labels.dependency }} of {{ $labels.job }} is unhealthy',
          description: 'The last health checks of {{ $labels.dependency }} failed for 2 minutes.',
        },
      ],
    },
    {
      name: `${ns}_providers`,
      rules: [
        {
          alert: 'SlowLLMCalls',
          expr: `${ns}:llm_latency_seconds:p95_5m > 30`,
          for: '5m',
          severity: 'warning',
          summary: 'Slow LLM calls to {{ $labels.provider }} {{ $labels.model }}',
          description: '95th percentile LLM latency is {{ $value | humanizeDuration }}.',
        },
        {
          alert: 'LLMAPIFailures',
          expr: `${ns}:llm_requests_errors:ratio_rate5m > 0.05`,
          for: '2m',
          severity: 'critical',
          summary: 'LLM API failures on {{ $labels.provider }} {{ $labels.model }}',
          description: '{{ $value | humanizePercentage }} of LLM calls failed over the last 5 minutes.',
        },
        {
          alert: 'LLMStreamErrorRateHigh',
          expr: `sum by (job, provider, model) (rate(${ns}_llm_errors_total{error_type="stream_error"}[2m])) * 60 > 5`,
          for: '3m',
          severity: 'warning',
          summary: 'LLM stream errors on {{ $labels.provider }} {{ $labels.model }}',
          description: '{{ $value | humanize }} streams per minute broke mid-response.',
        },
        {
          alert: 'LLMStreamTimeoutHigh',
          expr: `sum by (job, provider, model) (rate(${ns}_llm_errors_total{error_type="timeout"}[2m])) * 60 > 3`,
          for: '3m',
          severity: 'critical',
          summary: 'LLM timeouts on {{ $labels.provider }} {{ $labels.model }}',
          description: '{{ $value | humanize }} LLM calls per minute timed out.',
        },
        {
          alert: 'SlowTTSProcessing',
          expr: `${ns}:tts_latency_seconds:p95_5m > 5`,
          for: '5m',
          severity: 'warning',
          summary: 'Slow text-to-speech on {{ $labels.provider }} {{ $labels.model }}',
          description: '95th percentile TTS latency is {{ $value | humanizeDuration }}.',
        },
        {
          alert: 'TTSRateLimitHigh',
          expr: `sum by (job, provider) (rate(${ns}_tts_errors_total{error_type="rate_limit"}[2m])) * 60 > 5`,
          for: '2m',
          severity: 'warning',
          summary: '{{ $labels.provider }} TTS is rate limiting',
          description: '{{ $value | humanize }} TTS calls per minute were rate limited.',
        },
        {
          alert: 'TTSRateLimitCritical',
          expr: `sum by (job, provider) (rate(${ns}_tts_errors_total{error_type="rate_limit"}[1m])) * 60 > 20`,
          for: '1m',
          severity: 'critical',
          summary: '{{ $labels.provider }} TTS is rate limiting heavily',
          description: '{{ $value | humanize }} TTS calls per minute were rate limited.',
        },
        {
          alert: 'TTSErrorRateHigh',
          expr: `sum by (job, provider) (rate(${ns}_tts_errors_total[2m])) * 60 > 10`,
          for: '3m',
          severity: 'warning',
          summary: '{{ $labels.provider }} TTS errors are high',
          description: '{{ $value | humanize }} TTS calls per minute failed.',
        },
        {
          alert: 'TimeToFirstAudioSlow',
          expr: `${ns}:tts_time_to_first_audio_seconds:p95_5m > 2`,
          for: '5m',
          severity: 'warning',
          summary: 'Slow first audio from {{ $labels.provider }} {{ $labels.model }}',
          description: '95th percentile time to first audio is {{ $value | humanizeDuration }}.',
        },
        {
          alert: 'HighAPICosts',
          comment: " Projected spend over 30 days at the last hour's rate; set the budget (USD) to yours.",
          expr: `sum by (job) (${ns}:api_cost_usd:rate1h) * 86400 * 30 > 1000`,
          for: '1h',
          severity: 'warning',
          summary: 'Provider costs of {{ $labels.job }} trend above budget',
          description: "At the last hour's rate, the service spends {{ $value | humanize }} USD per 30 days.",
        },
      ],
    },
    {
      name: `${ns}_data`,
      rules: [
        {
          alert: 'SlowDatabaseQueries',
          expr: `${ns}:db_query_duration_seconds:p95_5m > 1`,
          for: '5m',
          severity: 'warning',
          summary: 'Slow {{ $labels.db_system }} queries on {{ $labels.job }}',
          description: '95th percentile query time is {{ $value | humanizeDuration }}.',
        },
        {
          alert: 'DatabasePoolExhausted',
          expr: `${ns}:db_connections:utilization_ratio >= 0.9`,
          for: '5m',
          severity: 'critical',
          summary: '{{ $labels.db_system }} pool {{ $labels.pool }} on {{ $labels.job }} is nearly exhausted',
          description: "{{ $value | humanizePercentage }} of the pool's connections are in use.",
        },
        {
          alert: 'LowCacheHitRatio',
          expr: `${ns}:cache_hit:ratio_rate5m < 0.5`,
          for: '10m',
          severity: 'warning',
          summary: 'Low cache hit ratio on {{ $labels.job }}',
          description: 'Only {{ $value | humanizePercentage }} of cache reads hit.',
        },
      ],
    },
    ...operationsAlertGroups(n),
    {
      name: `${ns}_slo`,
      comment:
        ' Multiwindow, multi-burn-rate SLO alerts (Google SRE workbook, chapter 5). SLOs: availability\n' +
        ` 99.9% of requests succeed; latency 99% of requests finish within ${SLOW_SECONDS} s; HTTP 99.9% of\n` +
        ' requests answered without a 5xx status.',
      rules: [
        ...burnRateAlerts(n, {
          stem: 'Availability',
          slo: 'availability',
          title: 'availability',
          ratio: 'requests_errors',
          budget: '0.001',
          what: '0.1% of requests',
        }),
        ...burnRateAlerts(n, {
          stem: 'Latency',
          slo: 'latency',
          title: 'latency',
          ratio: 'response_time_slow',
          budget: '0.01',
          what: `1% of requests slower than ${SLOW_SECONDS} s`,
        }),
        ...burnRateAlerts(n, {
          stem: 'HTTP',
          slo: 'http_availability',
          title: 'HTTP availability',
          ratio: 'http_server_errors',
          budget: '0.001',
          what: '0.1% of HTTP requests answered 5xx',
        }),
      ],
    },
  ];
}
