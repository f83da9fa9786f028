import type { DashboardSpec } from './model.ts';
import { quantile, sel } from './queries.ts';

/** Node.js runtime and host metrics from OpenTelemetry's instrumentations (through @agentmeter/node). */
export function runtime(): DashboardSpec {
  return {
    uid: 'agentmeter-runtime',
    title: 'agentmeter / Runtime',
    description: 'Event loop, garbage collection, heap, CPU and memory of the processes, and outbound HTTP.',
    rows: [
      {
        title: 'Event loop and GC',
        panels: [
          {
            title: 'Event-loop delay p99',
            description: 'nodejs_eventloop_delay_p99_seconds per process (EventLoopDelayHigh fires above 200 ms).',
            unit: 's',
            queries: [
              {
                expr: `max by (job, instance) (${sel('nodejs_eventloop_delay_p99_seconds')})`,
                legend: '{{job}} {{instance}}',
              },
            ],
          },
          {
            title: 'Event-loop utilisation',
            description: 'Share of time the event loop was busy.',
            unit: 'percentunit',
            queries: [
              {
                expr: `max by (job, instance) (${sel('nodejs_eventloop_utilization_ratio')})`,
                legend: '{{job}} {{instance}}',
              },
            ],
          },
          {
            title: 'GC time',
            description:
              'Seconds spent in garbage collection per second, by GC type, and p99 pause. Empty unless the service starts agentmeter with runtime: { gc: true } (GC durations cost CPU per collection; see docs/node.md).',
            unit: 's',
            optIn: 'runtime: { gc: true }',
            queries: [
              {
                expr: `sum by (v8js_gc_type) (rate(${sel('v8js_gc_duration_seconds_sum')}[$__rate_interval]))`,
                legend: '{{v8js_gc_type}}',
              },
              { expr: quantile(0.99, 'v8js_gc_duration_seconds', ''), legend: 'p99 pause' },
            ],
          },
        ],
      },
      {
        title: 'Memory and outbound HTTP',
        panels: [
          {
            title: 'Heap used',
            description: 'V8 heap in use by space.',
            unit: 'bytes',
            queries: [
              {
                expr: `sum by (v8js_heap_space_name) (${sel('v8js_memory_heap_used_bytes')})`,
                legend: '{{v8js_heap_space_name}}',
              },
            ],
          },
          {
            title: 'Process memory',
            description: 'Resident memory per process, process_memory_usage (ProcessMemoryHigh fires above 1.5 GiB).',
            unit: 'bytes',
            queries: [
              { expr: `max by (job, instance) (${sel('process_memory_usage')})`, legend: '{{job}} {{instance}}' },
            ],
          },
          {
            title: 'Process CPU',
            description:
              'CPU utilisation per process, all states, process_cpu_utilization (ProcessCPUHigh fires above 90%).',
            unit: 'percentunit',
            queries: [
              { expr: `sum by (job, instance) (${sel('process_cpu_utilization')})`, legend: '{{job}} {{instance}}' },
            ],
          },
          {
            title: 'Outbound HTTP latency',
            description: 'p95 of http_client_request_duration_seconds by server.',
            unit: 's',
            queries: [
              {
                expr: quantile(0.95, 'http_client_request_duration_seconds', 'server_address'),
                legend: '{{server_address}}',
              },
            ],
          },
        ],
      },
    ],
  };
}
