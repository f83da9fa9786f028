import { resolve } from 'node:path';
import { freePort, startChild, waitFor, type Child } from './processes.ts';
import { COLLECTOR_DIR, findTool } from './tools.ts';

/** The loopback ports one Collector listens on. */
export interface CollectorPorts {
  readonly grpc: number;
  readonly http: number;
  readonly health: number;
  readonly telemetry: number;
}

export async function collectorPorts(): Promise<CollectorPorts> {
  const [grpc = 0, http = 0, health = 0, telemetry = 0] = await Promise.all(
    Array.from({ length: 4 }, () => freePort()),
  );
  return { grpc, http, health, telemetry };
}

/** The environment the configs in collector/otelcol read, with the listen addresses on the loopback. */
export function collectorEnv(ports: CollectorPorts, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AGENTMETER_COLLECTOR_OTLP_GRPC_ENDPOINT: `127.0.0.1:${ports.grpc}`,
    AGENTMETER_COLLECTOR_OTLP_HTTP_ENDPOINT: `127.0.0.1:${ports.http}`,
    AGENTMETER_COLLECTOR_HEALTH_ENDPOINT: `127.0.0.1:${ports.health}`,
    AGENTMETER_COLLECTOR_TELEMETRY_PORT: String(ports.telemetry),
    ...extra,
  };
}

/** Starts the built Collector with configs from collector/otelcol (or absolute paths) and waits for its health check. */
export async function startCollector(
  configs: readonly string[],
  ports: CollectorPorts,
  env: NodeJS.ProcessEnv,
): Promise<Child> {
  // A name is a file of collector/otelcol; an absolute path (a test's own overlay) is taken as it is.
  const args = configs.flatMap((file) => ['--config', resolve(COLLECTOR_DIR, 'otelcol', file)]);
  const child = startChild(findTool('otelcol'), args, env);
  try {
    await waitFor(
      'the Collector to be healthy',
      async () => ((await fetch(`http://127.0.0.1:${ports.health}/`)).ok ? true : undefined),
      60_000,
    );
  } catch (error) {
    await child.stop();
    throw new Error(`${String(error)}\n${child.output()}`, { cause: error });
  }
  return child;
}
