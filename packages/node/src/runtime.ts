import { metrics } from '@opentelemetry/api';
import { HostMetrics } from '@opentelemetry/host-metrics';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';

/** Event-loop delay and utilisation, GC pauses and heap spaces (nodejs.*, v8js.*). */
export function createRuntimeInstrumentation(): RuntimeNodeInstrumentation {
  return new RuntimeNodeInstrumentation({ monitoringPrecision: 10 });
}

/** Process and host CPU, memory and network (process.*, system.*), read at each collection. */
export function startHostMetrics(): void {
  new HostMetrics({ meterProvider: metrics.getMeterProvider(), name: '@agentmeter/node' }).start();
}
