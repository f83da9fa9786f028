import type { InstrumentationScope } from '@opentelemetry/core';
import manifest from '../package.json' with { type: 'json' };

/**
 * The instrumentation scope of agentmeter's own instruments, named and versioned from this
 * package's manifest, so `otel_scope_version` on /metrics and in OTLP moves with each release.
 */
export const AGENTMETER_SCOPE: InstrumentationScope = Object.freeze({ name: manifest.name, version: manifest.version });
