import { readFileSync } from 'node:fs';
import { arch, hostname } from 'node:os';
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

/** OpenTelemetry's names for Node's architectures (the rest are the same). */
const ARCH: Record<string, string> = { arm: 'arm32', ppc: 'ppc32', x64: 'amd64' };
const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'];

function linuxMachineId(): string | undefined {
  for (const file of MACHINE_ID_FILES) {
    try {
      const id = readFileSync(file, 'utf8').trim();
      if (id !== '') return id;
    } catch {
      // Not there (containers often have neither file): host.id is left out, as OpenTelemetry does.
    }
  }
  return undefined;
}

/**
 * OpenTelemetry's host detector, but on Linux host.id is read at once rather than through
 * fs.promises: its FileHandle is one more kind of EventEmitter passing through Node's
 * EventEmitter constructor after start-up, and one kind too many turns the property accesses
 * V8 inlines into every request's IncomingMessage and ServerResponse megamorphic (about 1.5%
 * of a small request's CPU; docs/overhead.md, Where the rest of the overhead went). Other
 * platforms keep OpenTelemetry's.
 */
const hostAtOnce: ResourceDetector =
  process.platform === 'linux'
    ? {
        detect: () => ({
          attributes: { 'host.name': hostname(), 'host.arch': ARCH[arch()] ?? arch(), 'host.id': linuxMachineId() },
        }),
      }
    : hostDetector;

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
      detectors: [serviceInstanceIdDetector, processWithoutArguments, hostAtOnce, osDetector, envDetector, fromOptions],
    }),
  );
}
