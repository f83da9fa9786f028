import { AgentMeterConfigError } from '@agentmeter/core';
import type { Attributes } from '@opentelemetry/api';
import { envDetector, hostDetector, osDetector, processDetector, serviceInstanceIdDetector } from '@opentelemetry/resources';
import type { ResourceDetector } from '@opentelemetry/resources';
import type { StartOptions } from './types.ts';

function text(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 255) {
    throw new AgentMeterConfigError(
      `@agentmeter/node start(): ${name} must be a non-empty string of at most 255 characters; got ${(JSON.stringify(value) ?? String(value)).slice(0, 80)}`,
    );
  }
  return value.trim();
}

/** The attributes start() options put on the resource; they win over OTEL_RESOURCE_ATTRIBUTES. */
export function resourceAttributesFrom(options: StartOptions): Attributes {
  const extra = options.resourceAttributes;
  if (extra !== undefined && (typeof extra !== 'object' || extra === null || Array.isArray(extra))) {
    throw new AgentMeterConfigError('@agentmeter/node start(): resourceAttributes must be an object of attribute values');
  }
  const attributes: Attributes = { ...extra };
  const name = text('serviceName', options.serviceName);
  const version = text('serviceVersion', options.serviceVersion);
  const environment = text('environment', options.environment);
  if (name !== undefined) attributes['service.name'] = name;
  if (version !== undefined) attributes['service.version'] = version;
  if (environment !== undefined) attributes['deployment.environment.name'] = environment;
  return attributes;
}

/**
 * Host, process and OS attributes, then OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME, then
 * the options: later detectors win, so code beats environment beats detection.
 */
export function resourceDetectors(attributes: Attributes): ResourceDetector[] {
  const fromOptions: ResourceDetector = { detect: () => ({ attributes }) };
  return [serviceInstanceIdDetector, processDetector, hostDetector, osDetector, envDetector, fromOptions];
}
