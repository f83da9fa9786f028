import { AgentMeterConfigError } from '@agentmeter/core';
import type { Attributes } from '@opentelemetry/api';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import type { Resource, ResourceDetector } from '@opentelemetry/resources';
import type { StartOptions } from './types.ts';
import { show } from './config.ts';

function text(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 255) {
    throw new AgentMeterConfigError(
      `@agentmeter/node start(): ${name} must be a non-empty string of at most 255 characters; got ${show(value).slice(0, 80)}`,
    );
  }
  return value.trim();
}

// Command lines carry API keys often enough that they must never become target_info labels.
const COMMAND_LINE = new Set(['process.command_args', 'process.command_line']);
const processWithoutArguments: ResourceDetector = {
  detect: (config) => {
    const detected = processDetector.detect(config);
    const attributes = Object.fromEntries(
      Object.entries(detected.attributes ?? {}).filter(([key]) => !COMMAND_LINE.has(key)),
    );
    return { ...detected, attributes };
  },
};

/** The attributes start() options put on the resource; they win over OTEL_RESOURCE_ATTRIBUTES. */
export function resourceAttributesFrom(options: StartOptions): Attributes {
  const extra = options.resourceAttributes;
  if (extra !== undefined && (typeof extra !== 'object' || extra === null || Array.isArray(extra))) {
    throw new AgentMeterConfigError(
      '@agentmeter/node start(): resourceAttributes must be an object of attribute values',
    );
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
export function detectResource(attributes: Attributes): Resource {
  const fromOptions: ResourceDetector = { detect: () => ({ attributes }) };
  return defaultResource().merge(
    detectResources({
      detectors: [
        serviceInstanceIdDetector,
        processWithoutArguments,
        hostDetector,
        osDetector,
        envDetector,
        fromOptions,
      ],
    }),
  );
}
