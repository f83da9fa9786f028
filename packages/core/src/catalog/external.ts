import type { ExternalMetricSpec } from './types.ts';

const HTTP_INSTRUMENTATION = '@agentmeter/node, from node:diagnostics_channel (node:http, fetch)';
const RUNTIME_INSTRUMENTATION = '@opentelemetry/instrumentation-runtime-node, through @agentmeter/node';
// instrumentation-host-metrics declares no units, so these names carry no unit suffix.
const HOST_METRICS = '@opentelemetry/instrumentation-host-metrics, through @agentmeter/node';

/**
 * Metrics that come from OpenTelemetry's own instrumentations under semantic-convention names.
 * agentmeter documents them, maps seed names onto them and lets dashboards query them.
 */
export const EXTERNAL_METRICS: readonly ExternalMetricSpec[] = [
  {
    prometheusName: 'http_server_request_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description:
      'Duration of inbound HTTP requests (OTel semantic conventions, stable). Its _count is the request count.',
    attributes: [
      'http_request_method',
      'http_route',
      'http_response_status_code',
      'url_scheme',
      'network_protocol_version',
      'error_type',
    ],
    source: HTTP_INSTRUMENTATION,
    replaces: ['http_requests_total', 'http_request_duration_seconds'],
  },
  {
    prometheusName: 'http_server_active_requests',
    kind: 'updowncounter',
    unit: '{request}',
    description: 'Inbound HTTP requests in flight.',
    attributes: ['http_request_method', 'url_scheme'],
    source: HTTP_INSTRUMENTATION,
    replaces: ['http_requests_in_progress', 'http_requests_active'],
  },
  {
    prometheusName: 'http_client_request_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of outbound HTTP requests.',
    attributes: [
      'http_request_method',
      'server_address',
      'server_port',
      'url_scheme',
      'http_response_status_code',
      'error_type',
    ],
    source: HTTP_INSTRUMENTATION,
    replaces: [],
  },
  {
    prometheusName: 'nodejs_eventloop_delay_p99_seconds',
    kind: 'gauge',
    unit: 's',
    description: 'Event-loop delay, 99th percentile.',
    attributes: [],
    source: RUNTIME_INSTRUMENTATION,
    replaces: [],
  },
  {
    prometheusName: 'nodejs_eventloop_utilization_ratio',
    kind: 'gauge',
    unit: '1',
    description: 'Share of time the event loop was busy.',
    attributes: [],
    source: RUNTIME_INSTRUMENTATION,
    replaces: [],
  },
  {
    prometheusName: 'v8js_gc_duration_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Garbage collection pauses, by GC type.',
    attributes: ['v8js_gc_type'],
    source: '@agentmeter/node, opt-in: `runtime: { gc: true }` (a cost per garbage collection)',
    replaces: [],
  },
  {
    prometheusName: 'v8js_memory_heap_used_bytes',
    kind: 'gauge',
    unit: 'By',
    description: 'V8 heap in use, by heap space.',
    attributes: ['v8js_heap_space_name'],
    source: RUNTIME_INSTRUMENTATION,
    replaces: [],
  },
  {
    prometheusName: 'process_cpu_utilization',
    kind: 'gauge',
    unit: '1',
    description: 'Process CPU utilisation.',
    attributes: ['process_cpu_state'],
    source: HOST_METRICS,
    replaces: [],
  },
  {
    prometheusName: 'process_memory_usage',
    kind: 'gauge',
    unit: 'By',
    description: 'Process resident memory.',
    attributes: [],
    source: HOST_METRICS,
    replaces: [],
  },
  {
    prometheusName: 'system_cpu_utilization',
    kind: 'gauge',
    unit: '1',
    description: 'Host CPU utilisation, by CPU and state.',
    attributes: ['system_cpu_logical_number', 'system_cpu_state'],
    source: HOST_METRICS,
    replaces: [],
  },
  {
    prometheusName: 'system_memory_usage',
    kind: 'gauge',
    unit: 'By',
    description: 'Host memory, by state.',
    attributes: ['system_memory_state'],
    source: HOST_METRICS,
    replaces: [],
  },
];

/**
 * Seed metrics that were in-process gauges computed from other metrics; agentmeter ships them
 * as Prometheus recording rules (collector/prometheus/rules) instead.
 */
export const SEED_RECORDING_RULES: Readonly<Record<string, string>> = {
  sli_health_check_success_rate: 'agentmeter:health_check_success:ratio_rate5m',
  sli_api_latency_p95: 'agentmeter:http_server_request_duration_seconds:p95_5m',
  sli_api_latency_p99: 'agentmeter:http_server_request_duration_seconds:p99_5m',
  sli_api_error_rate: 'agentmeter:http_server_errors:ratio_rate5m',
};
