import type { Names } from '../metric-names.ts';
import type { AlertRule, RuleGroup } from './model.ts';

/** Process memory above which ProcessMemoryHigh fires: set it below your container's limit. */
export const MEMORY_LIMIT_BYTES = 1_610_612_736;

/**
 * La Factoria's alert categories (API availability and latency, content generation, external
 * APIs, system saturation) and the Learning Voice Agent's SlowResponseTime, over the HTTP
 * semantic-convention metrics, the catalog and the runtime and host metrics of @agentmeter/node.
 */
export function operationsAlertGroups(n: Names): RuleGroup<AlertRule>[] {
  const { ns } = n;
  return [
    {
      name: `${ns}_http_alerts`,
      rules: [
        {
          alert: 'HTTPErrorRateHigh',
          expr: `${n.rule('http_server_errors', 'ratio_rate5m')} > 0.05`,
          for: '5m',
          severity: 'critical',
          summary: 'HTTP 5xx responses on {{ $labels.job }}',
          description:
            '{{ $value | humanizePercentage }} of HTTP requests were answered with a 5xx status over the last 5 minutes.',
        },
        {
          alert: 'HTTPSlowResponses',
          expr: `${n.rule('http_server_request_duration_seconds', 'p95_5m')} > 2`,
          for: '5m',
          severity: 'warning',
          summary: 'Slow HTTP responses on {{ $labels.job }}',
          description: '95th percentile HTTP response time is {{ $value | humanizeDuration }}.',
        },
      ],
    },
    {
      name: `${ns}_generation_external_alerts`,
      rules: [
        {
          alert: 'ContentGenerationFailures',
          expr: `${n.rule(`${n.stem('contentGeneration')}_errors`, 'ratio_rate5m')} > 0.1`,
          for: '5m',
          severity: 'warning',
          summary: '{{ $labels.content_type }} generation fails on {{ $labels.job }}',
          description:
            '{{ $value | humanizePercentage }} of {{ $labels.content_type }} generations failed over the last 5 minutes.',
        },
        {
          alert: 'ContentGenerationSlow',
          expr: `${n.rule(n.m('contentGenerationDuration'), 'p95_5m')} > 60`,
          for: '10m',
          severity: 'warning',
          summary: 'Slow {{ $labels.content_type }} generation on {{ $labels.job }}',
          description: '95th percentile generation time is {{ $value | humanizeDuration }}.',
        },
        {
          alert: 'ExternalAPIDown',
          expr: `${n.rule(`${n.stem('externalApiRequests')}_errors`, 'ratio_rate5m')} >= 1`,
          for: '2m',
          severity: 'critical',
          summary: 'External API {{ $labels.service }} is down for {{ $labels.job }}',
          description: 'Every call to {{ $labels.service }} failed over the last 5 minutes.',
        },
        {
          alert: 'ExternalAPIErrorRateHigh',
          expr: `${n.rule(`${n.stem('externalApiRequests')}_errors`, 'ratio_rate5m')} > 0.1`,
          for: '5m',
          severity: 'warning',
          summary: 'External API {{ $labels.service }} fails for {{ $labels.job }}',
          description:
            '{{ $value | humanizePercentage }} of calls to {{ $labels.service }} failed over the last 5 minutes.',
        },
        {
          alert: 'ExternalAPISlow',
          expr: `${n.rule(n.m('externalApiDuration'), 'p95_5m')} > 5`,
          for: '5m',
          severity: 'warning',
          summary: 'Slow external API {{ $labels.service }} for {{ $labels.job }}',
          description: '95th percentile call time to {{ $labels.service }} is {{ $value | humanizeDuration }}.',
        },
      ],
    },
    {
      name: `${ns}_process_alerts`,
      rules: [
        {
          alert: 'ProcessCPUHigh',
          expr: 'sum by (job, instance) (process_cpu_utilization) > 0.9',
          for: '10m',
          severity: 'warning',
          summary: '{{ $labels.job }} {{ $labels.instance }} is CPU bound',
          description: 'The process used {{ $value | humanizePercentage }} CPU for 10 minutes.',
        },
        {
          alert: 'ProcessMemoryHigh',
          expr: `max by (job, instance) (process_memory_usage) > ${MEMORY_LIMIT_BYTES}`,
          for: '10m',
          severity: 'warning',
          comment: " Resident memory above 1.5 GiB; set the threshold below your container's memory limit.",
          summary: '{{ $labels.job }} {{ $labels.instance }} uses a lot of memory',
          description: 'Resident memory is {{ $value | humanize1024 }}B.',
        },
        {
          alert: 'EventLoopDelayHigh',
          expr: 'max by (job, instance) (nodejs_eventloop_delay_p99_seconds) > 0.2',
          for: '5m',
          severity: 'warning',
          summary: 'Event loop of {{ $labels.job }} {{ $labels.instance }} is blocked',
          description:
            '99th percentile event-loop delay is {{ $value | humanizeDuration }}; requests wait behind synchronous work.',
        },
      ],
    },
  ];
}
