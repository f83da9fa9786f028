import type { Instrumentation } from '@opentelemetry/instrumentation';

// Process-wide, like the module patches themselves: require-in-the-middle hands a module to the
// first instrumentation that hooked it only, so an instrumentation built by a later start() in
// the same process would never see node:http again. The instance is reused and re-enabled.
const INSTANCES = Symbol.for('@agentmeter/node.instrumentations');
type Registry = { [INSTANCES]?: Map<string, Instrumentation> };

/** The instrumentation of this name, built once per process; later calls update its config. */
export function reuse<T extends Instrumentation>(
  name: string,
  config: Parameters<T['setConfig']>[0],
  create: (config: Parameters<T['setConfig']>[0]) => T,
): T {
  const global = globalThis as Registry;
  const instances = (global[INSTANCES] ??= new Map());
  const existing = instances.get(name) as T | undefined;
  if (existing !== undefined) {
    existing.setConfig(config);
    return existing;
  }
  const created = create(config);
  instances.set(name, created);
  return created;
}
