import { HostMetricsInstrumentation } from '@opentelemetry/instrumentation-host-metrics';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';

/** Event-loop delay and utilisation, GC pauses and heap spaces (nodejs.*, v8js.*). */
export function createRuntimeInstrumentation(): RuntimeNodeInstrumentation {
  return new RuntimeNodeInstrumentation({ monitoringPrecision: 10 });
}

/** Process and host CPU, memory and network (process.*, system.*), read at each collection. */
export function createHostMetricsInstrumentation(): HostMetricsInstrumentation {
  return new HostMetricsInstrumentation();
}
