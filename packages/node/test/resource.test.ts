import { existsSync, readFileSync } from 'node:fs';
import { platform } from 'node:process';
import { hostDetector } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { detectResource } from '../src/resource.ts';

/** What OpenTelemetry's own host detector finds here, its machine-id promise awaited. */
async function otelHost(): Promise<Record<string, unknown>> {
  const attributes = hostDetector.detect().attributes ?? {};
  return Object.fromEntries(
    await Promise.all(Object.entries(attributes).map(async ([key, value]) => [key, await value] as const)),
  );
}

describe('detectResource', () => {
  it.runIf(platform === 'linux')(
    'finds the same host attributes as OpenTelemetry, with nothing left pending',
    async () => {
      const resource = detectResource({});
      // host.id is read at once (no fs.promises FileHandle after start-up): no attribute waits.
      expect(resource.asyncAttributesPending).toBe(false);
      const expected = await otelHost();
      const attributes = resource.attributes;
      for (const key of ['host.name', 'host.arch', 'host.id']) expect(attributes[key]).toBe(expected[key]);
      const machineId = ['/etc/machine-id', '/var/lib/dbus/machine-id'].find((file) => existsSync(file));
      if (machineId !== undefined) expect(attributes['host.id']).toBe(readFileSync(machineId, 'utf8').trim());
    },
  );

  it('lets options win over detected host attributes', () => {
    const resource = detectResource({ 'host.name': 'given-host', 'service.name': 'checkout' });
    expect(resource.attributes['host.name']).toBe('given-host');
    expect(resource.attributes['service.name']).toBe('checkout');
  });
});
