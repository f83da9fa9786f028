import type { DashboardSpec } from './model.ts';
import { quantiles, rate, sel, type DashboardNames } from './queries.ts';

const HTTP = 'http_server_request_duration_seconds';

/** Traffic, errors, latency, sessions, health and SLOs of every agentmeter service. */
export function overview({ m, rule, ruleQuantiles, stem }: DashboardNames): DashboardSpec {
  return {
    uid: 'agentmeter-overview',
    title: 'agentmeter / Overview',
    description: 'Requests, errors, latency, sessions, WebSockets, health checks and SLO burn of agentmeter services.',
    rows: [
      {
        title: 'Golden signals',
        panels: [
          {
            title: 'Requests per second',
            description: 'agentmeter_requests_total, all services selected.',
            kind: 'stat',
            unit: 'reqps',
            queries: [{ expr: rate(m('requests'), ''), legend: 'requests/s' }],
          },
          {
            title: 'Error ratio',
            description: 'Share of requests with status="error" (recording rule).',
            kind: 'stat',
            unit: 'percentunit',
            queries: [{ expr: `max(${sel(rule('requests_errors', 'ratio_rate5m'))})`, legend: 'errors' }],
          },
          {
            title: 'p95 response time',
            description: 'Slowest service p95 (recording rule).',
            kind: 'stat',
            unit: 's',
            queries: [{ expr: `max(${sel(rule(m('responseTime'), 'p95_5m'))})`, legend: 'p95' }],
          },
          {
            title: 'Active sessions',
            description: 'agentmeter_active_sessions summed over processes.',
            kind: 'stat',
            unit: 'short',
            queries: [{ expr: `sum(${sel(m('activeSessions'))})`, legend: 'sessions' }],
          },
          {
            title: 'Requests by status',
            description: 'Request rate per service and outcome.',
            unit: 'reqps',
            queries: [{ expr: rate(m('requests'), 'job, status'), legend: '{{job}} {{status}}' }],
          },
          {
            title: 'Response time',
            description: 'p50, p95 and p99 of whole requests per service (SlowResponses fires at p95 > 10 s).',
            unit: 's',
            queries: ruleQuantiles(m('responseTime'), '{{job}}'),
          },
          {
            title: 'Errors by type',
            description: 'agentmeter_errors_total by error taxonomy and component.',
            unit: 'short',
            queries: [{ expr: rate(m('errors'), 'error_type, component'), legend: '{{component}} {{error_type}}' }],
          },
        ],
      },
      {
        title: 'HTTP server (OpenTelemetry semantic conventions)',
        panels: [
          {
            title: 'HTTP requests by route',
            description: 'http_server_request_duration_seconds_count per route.',
            unit: 'reqps',
            queries: [
              {
                expr: rate(`${HTTP}_count`, 'http_route, http_response_status_code'),
                legend: '{{http_route}} {{http_response_status_code}}',
              },
            ],
          },
          {
            title: 'HTTP latency',
            description:
              "p50, p95 and p99 (the seeds' sli_api_latency_p95 and _p99; HTTPSlowResponses fires at p95 > 2 s).",
            unit: 's',
            queries: ruleQuantiles(HTTP, '{{job}}'),
          },
          {
            title: 'HTTP 5xx ratio and in-flight requests',
            description:
              "The seeds' sli_api_error_rate (HTTPErrorRateHigh fires above 5%), and http_server_active_requests.",
            unit: 'short',
            queries: [
              { expr: sel(rule('http_server_errors', 'ratio_rate5m')), legend: '5xx ratio {{job}}' },
              { expr: `sum by (job) (${sel('http_server_active_requests')})`, legend: 'in flight {{job}}' },
            ],
          },
        ],
      },
      {
        title: 'Sessions and WebSockets',
        panels: [
          {
            title: 'Sessions',
            description: 'Open sessions and sessions started per second.',
            unit: 'short',
            queries: [
              { expr: `sum by (job) (${sel(m('activeSessions'))})`, legend: 'open {{job}}' },
              { expr: rate(m('sessions'), 'job'), legend: 'started/s {{job}}' },
            ],
          },
          {
            title: 'Session duration',
            description: 'How long sessions last.',
            unit: 's',
            queries: quantiles(m('sessionDuration'), '', ''),
          },
          {
            title: 'WebSocket connections',
            description: 'Open connections and messages per second by direction.',
            unit: 'short',
            queries: [
              { expr: `sum by (job) (${sel(m('websocketConnectionsActive'))})`, legend: 'open {{job}}' },
              { expr: rate(m('websocketMessages'), 'direction'), legend: 'messages/s {{direction}}' },
            ],
          },
          {
            title: 'WebSocket traffic',
            description: 'Payload bytes per second by direction.',
            unit: 'Bps',
            queries: [{ expr: rate(m('websocketTraffic'), 'direction'), legend: '{{direction}}' }],
          },
          {
            title: 'WebSocket connection duration',
            description: 'How long connections stay open.',
            unit: 's',
            queries: quantiles(m('websocketConnectionDuration'), '', ''),
          },
        ],
      },
      {
        title: 'Health and SLOs',
        panels: [
          {
            title: 'Dependency health',
            description: 'Last health check result: 1 healthy, 0 unhealthy.',
            unit: 'short',
            queries: [{ expr: `min by (dependency) (${sel(m('healthCheckStatus'))})`, legend: '{{dependency}}' }],
          },
          {
            title: 'Health check success ratio and duration',
            description: "The seeds' sli_health_check_success_rate, and p95 check time.",
            unit: 'short',
            queries: [
              { expr: sel(rule('health_check_success', 'ratio_rate5m')), legend: 'success ratio {{job}}' },
              {
                expr: `histogram_quantile(0.95, sum by (dependency, le) (rate(${sel(`${m('healthCheckDuration')}_bucket`)}[$__rate_interval])))`,
                legend: 'p95 s {{dependency}}',
              },
            ],
          },
          ...(['1h', '6h'] as const).map((window) => ({
            title: `SLO burn over ${window}`,
            description: `Error ratio, share of requests slower than 2.5 s and HTTP 5xx ratio over ${window} (SLOs 99.9%, 99% and 99.9%; the *ErrorBudgetBurn alerts).`,
            unit: 'percentunit',
            queries: [
              { expr: sel(rule('requests_errors', `ratio_rate${window}`)), legend: `errors ${window} {{job}}` },
              {
                expr: sel(rule('response_time_slow', `ratio_rate${window}`)),
                legend: `slower than 2.5 s ${window} {{job}}`,
              },
              { expr: sel(rule('http_server_errors', `ratio_rate${window}`)), legend: `HTTP 5xx ${window} {{job}}` },
            ],
          })),
          {
            title: 'Scrape targets up',
            description:
              "Prometheus' up series per scraped target (ServiceDown fires at 0); empty for services that push through the Collector.",
            unit: 'short',
            queries: [{ expr: `min by (job, instance) (${sel('up')})`, legend: '{{job}} {{instance}}' }],
          },
        ],
      },
      {
        title: 'Conversations, generation and external APIs',
        panels: [
          {
            title: 'Conversation exchanges',
            description: 'Exchanges per second by intent.',
            unit: 'short',
            queries: [{ expr: rate(m('conversationExchanges'), 'intent'), legend: '{{intent}}' }],
          },
          {
            title: 'Quality and engagement scores',
            description: 'Median conversation quality and user engagement (0 to 1).',
            unit: 'percentunit',
            queries: [
              ...quantiles(m('conversationQualityScore'), '', 'quality', [0.5]),
              ...quantiles(m('userEngagementScore'), '', 'engagement', [0.5]),
            ],
          },
          {
            title: 'Content generation',
            description:
              'Jobs per second by type and outcome, and failed share (ContentGenerationFailures fires above 10%).',
            unit: 'short',
            queries: [
              { expr: rate(m('contentGeneration'), 'content_type, status'), legend: '{{content_type}} {{status}}' },
              {
                expr: sel(rule(`${stem('contentGeneration')}_errors`, 'ratio_rate5m')),
                legend: 'failed share {{content_type}}',
              },
            ],
          },
          {
            title: 'Content generation duration',
            description: 'p50, p95 and p99 by type (ContentGenerationSlow fires at p95 > 60 s).',
            unit: 's',
            queries: ruleQuantiles(m('contentGenerationDuration'), '{{content_type}}'),
          },
          {
            title: 'External API calls',
            description:
              'Calls per second by service and outcome, and failed share (ExternalAPIErrorRateHigh above 10%, ExternalAPIDown at 100%).',
            unit: 'short',
            queries: [
              { expr: rate(m('externalApiRequests'), 'service, status'), legend: '{{service}} {{status}}' },
              {
                expr: sel(rule(`${stem('externalApiRequests')}_errors`, 'ratio_rate5m')),
                legend: 'failed share {{service}}',
              },
            ],
          },
          {
            title: 'External API latency',
            description: 'p50, p95 and p99 by service (ExternalAPISlow fires at p95 > 5 s).',
            unit: 's',
            queries: ruleQuantiles(m('externalApiDuration'), '{{service}}'),
          },
        ],
      },
    ],
  };
}
