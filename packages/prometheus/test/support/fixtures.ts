import { createAgentMeter, type AgentMeter, type AgentMeterOptions } from '@agentmeter/core';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter, type PrometheusExporterOptions } from '../../src/index.ts';

/** Label values that break naive serializers. */
export const HOSTILE_VALUES: readonly string[] = [
  'double " quote',
  'back \\ slash',
  'new\nline',
  'carriage\rreturn',
  'tab\there',
  'lone \ud800 high',
  'lone \udfff low',
  'ends with \\',
  '} 1\nfake_metric 2',
  ' # {trace_id="x"} 1',
  'nul \u0000 byte',
  'emoji 🎙️ and ünïcödé',
  '',
];
/** One megabyte of text, with every character that needs escaping. */
export const HUGE_VALUE: string = `${'\\"\n'.repeat(1000)}${'x'.repeat(1_048_576 - 3000)}`;
/** What a decoder reads back after the UTF-8 encoder replaced lone surrogates. */
export function wellFormed(value: string): string {
  return value.toWellFormed();
}

export interface Setup {
  readonly meter: AgentMeter;
  readonly exporter: PrometheusExporter;
  readonly provider: MeterProvider;
}

/** A meter, an exporter fed by its producer, and an SDK MeterProvider the exporter also reads. */
export function setup(options: PrometheusExporterOptions = {}, meterOptions: AgentMeterOptions = {}): Setup {
  const meter = createAgentMeter({ ...meterOptions });
  const exporter = new PrometheusExporter({ meter, port: 0, env: {}, ...options });
  const provider = new MeterProvider({
    readers: [exporter],
    resource: resourceFromAttributes({ 'service.name': 'test-service', 'service.version': '1.0.0' }),
  });
  return { meter, exporter, provider };
}

let contextManager: AsyncLocalStorageContextManager | undefined;

/** Runs fn inside a sampled span context, so agentmeter attaches an exemplar. */
export function withSpan<T>(traceId: string, spanId: string, fn: () => T): T {
  if (contextManager === undefined) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  }
  const span = trace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.SAMPLED });
  return context.with(trace.setSpan(context.active(), span), fn);
}
