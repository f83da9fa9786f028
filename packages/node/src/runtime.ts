import { HostMetricsInstrumentation } from '@opentelemetry/instrumentation-host-metrics';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { reuse } from './reuse.ts';

/** Event-loop delay and utilisation, GC pauses and heap spaces (nodejs.*, v8js.*). */
export function createRuntimeInstrumentation(): RuntimeNodeInstrumentation {
  return reuse<RuntimeNodeInstrumentation>(
    'runtime-node',
    { monitoringPrecision: 10 },
    (config) => new RuntimeNodeInstrumentation(config),
  );
}

/** Process and host CPU, memory and network (process.*, system.*), read at each collection. */
export function createHostMetricsInstrumentation(): HostMetricsInstrumentation {
  return reuse<HostMetricsInstrumentation>('host-metrics', {}, (config) => new HostMetricsInstrumentation(config));
}
