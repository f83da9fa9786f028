import type { DashboardSpec } from './model.ts';
import { m, quantiles, rate, rule, ruleQuantiles, sel } from './queries.ts';

const HTTP = 'http_server_request_duration_seconds';

/** Traffic, errors, latency, sessions, health and SLOs of every agentmeter service. */
export const OVERVIEW: DashboardSpec = {
  uid: 'agentmeter-overview',
  title: 'agentmeter / Overview',
  description: 'Requests, errors, latency, sessions, WebSockets, health checks and SLO burn of agentmeter services.',
  rows: [
    {
      title: 'Golden signals',
      panels: [
        { title: 'Requests per second', description: 'agentmeter_requests_total, all services selected.', kind: 'stat', unit: 'reqps',
          queries: [{ expr: rate(m('requests'), ''), legend: 'requests/s' }] },
        { title: 'Error ratio', description: 'Share of requests with status="error" (recording rule).', kind: 'stat', unit: 'percentunit',
          queries: [{ expr: `max(${sel(rule('requests_errors', 'ratio_rate5m'))})`, legend: 'errors' }] },
        { title: 'p95 response time', description: 'Slowest service p95 (recording rule).', kind: 'stat', unit: 's',
          queries: [{ expr: `max(${sel(rule(m('responseTime'), 'p95_5m'))})`, legend: 'p95' }] },
        { title: 'Active sessions', description: 'agentmeter_active_sessions summed over processes.', kind: 'stat', unit: 'short',
          queries: [{ expr: `sum(${sel(m('activeSessions'))})`, legend: 'sessions' }] },
        { title: 'Requests by status', description: 'Request rate per service and outcome.', unit: 'reqps',
          queries: [{ expr: rate(m('requests'), 'job, status'), legend: '{{job}} {{status}}' }] },
        { title: 'Response time', description: 'p50, p95 and p99 of whole requests per service (SlowResponses fires at p95 > 10 s).', unit: 's',
          queries: ruleQuantiles(m('responseTime'), '{{job}}') },
        { title: 'Errors by type', description: 'agentmeter_errors_total by error taxonomy and component.', unit: 'short',
          queries: [{ expr: rate(m('errors'), 'error_type, component'), legend: '{{component}} {{error_type}}' }] },
      ],
    },
    {
      title: 'HTTP server (OpenTelemetry semantic conventions)',
      panels: [
        { title: 'HTTP requests by route', description: 'http_server_request_duration_seconds_count per route.', unit: 'reqps',
          queries: [{ expr: rate(`${HTTP}_count`, 'http_route, http_response_status_code'), legend: '{{http_route}} {{http_response_status_code}}' }] },
        { title: 'HTTP latency', description: 'p50, p95 and p99 (the seeds\' sli_api_latency_p95 and _p99).', unit: 's',
          queries: ruleQuantiles(HTTP, '{{job}}') },
        { title: 'HTTP 5xx ratio and in-flight requests', description: 'The seeds\' sli_api_error_rate, and http_server_active_requests.', unit: 'short',
          queries: [
            { expr: sel(rule('http_server_errors', 'ratio_rate5m')), legend: '5xx ratio {{job}}' },
            { expr: `sum by (job) (${sel('http_server_active_requests')})`, legend: 'in flight {{job}}' },
          ] },
      ],
    },
    {
      title: 'Sessions and WebSockets',
      panels: [
        { title: 'Sessions', description: 'Open sessions and sessions started per second.', unit: 'short',
          queries: [
            { expr: `sum by (job) (${sel(m('activeSessions'))})`, legend: 'open {{job}}' },
            { expr: rate(m('sessions'), 'job'), legend: 'started/s {{job}}' },
          ] },
        { title: 'Session duration', description: 'How long sessions last.', unit: 's',
          queries: quantiles(m('sessionDuration'), '', '') },
        { title: 'WebSocket connections', description: 'Open connections and messages per second by direction.', unit: 'short',
          queries: [
            { expr: `sum by (job) (${sel(m('websocketConnectionsActive'))})`, legend: 'open {{job}}' },
            { expr: rate(m('websocketMessages'), 'direction'), legend: 'messages/s {{direction}}' },
          ] },
        { title: 'WebSocket traffic', description: 'Payload bytes per second by direction.', unit: 'Bps',
          queries: [{ expr: rate(m('websocketTraffic'), 'direction'), legend: '{{direction}}' }] },
        { title: 'WebSocket connection duration', description: 'How long connections stay open.', unit: 's',
          queries: quantiles(m('websocketConnectionDuration'), '', '') },
      ],
    },
    {
      title: 'Health and SLOs',
      panels: [
        { title: 'Dependency health', description: 'Last health check result: 1 healthy, 0 unhealthy.', unit: 'short',
          queries: [{ expr: `min by (dependency) (${sel(m('healthCheckStatus'))})`, legend: '{{dependency}}' }] },
        { title: 'Health check success ratio and duration', description: 'The seeds\' sli_health_check_success_rate, and p95 check time.', unit: 'short',
          queries: [
            { expr: sel(rule('health_check_success', 'ratio_rate5m')), legend: 'success ratio {{job}}' },
            { expr: `histogram_quantile(0.95, sum by (dependency, le) (rate(${sel(`${m('healthCheckDuration')}_bucket`)}[$__rate_interval])))`, legend: 'p95 s {{dependency}}' },
          ] },
        { title: 'SLO burn: errors and slow requests', description: 'Error ratio and share of requests slower than 2.5 s over 1 h (SLOs 99.9% and 99%).', unit: 'percentunit',
          queries: [
            { expr: sel(rule('requests_errors', 'ratio_rate1h')), legend: 'errors 1h {{job}}' },
            { expr: sel(rule('response_time_slow', 'ratio_rate1h')), legend: 'slower than 2.5 s 1h {{job}}' },
          ] },
      ],
    },
    {
      title: 'Conversations, generation and external APIs',
      panels: [
        { title: 'Conversation exchanges', description: 'Exchanges per second by intent.', unit: 'short',
          queries: [{ expr: rate(m('conversationExchanges'), 'intent'), legend: '{{intent}}' }] },
        { title: 'Quality and engagement scores', description: 'Median conversation quality and user engagement (0 to 1).', unit: 'percentunit',
          queries: [
            ...quantiles(m('conversationQualityScore'), '', 'quality', [0.5]),
            ...quantiles(m('userEngagementScore'), '', 'engagement', [0.5]),
          ] },
        { title: 'Content generation', description: 'Jobs per second by type and outcome, and p95 duration.', unit: 'short',
          queries: [
            { expr: rate(m('contentGeneration'), 'content_type, status'), legend: '{{content_type}} {{status}}' },
            ...quantiles(m('contentGenerationDuration'), 'content_type', 's {{content_type}}', [0.95]),
          ] },
        { title: 'External API calls', description: 'Calls per second by service and outcome, and p95 duration.', unit: 'short',
          queries: [
            { expr: rate(m('externalApiRequests'), 'service, status'), legend: '{{service}} {{status}}' },
            ...quantiles(m('externalApiDuration'), 'service', 's {{service}}', [0.95]),
          ] },
      ],
    },
  ],
};
