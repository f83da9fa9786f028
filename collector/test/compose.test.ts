import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COLLECTOR_DIR } from './helpers/tools.ts';

interface Service {
  image?: string;
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: string[];
  profiles?: string[];
}
interface Compose {
  name?: string;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const TEXT = readFileSync(join(COLLECTOR_DIR, 'docker-compose.yml'), 'utf8');

describe('docker-compose.yml (Docker does not run here: syntax and references)', () => {
  const compose = parse(TEXT, { strict: true, uniqueKeys: true }) as Compose;

  it('parses as YAML and has the four services with pinned images', () => {
    expect(Object.keys(compose.services).toSorted()).toEqual(['alertmanager', 'grafana', 'otelcol', 'prometheus']);
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
    }
  });

  it('mounts only files and folders that exist, and declares its named volumes', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const [source = '', target = ''] = volume.split(':');
        expect(target, `${name}: ${volume}`).toMatch(/^\//);
        if (source.startsWith('.'))
          expect(existsSync(join(COLLECTOR_DIR, source)), `${name}: ${source} is missing`).toBe(true);
        else expect(compose.volumes, `${name}: volume ${source} is not declared`).toHaveProperty(source);
      }
    }
  });

  it('points every config path in commands at a mounted file', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const command = [service.command ?? []].flat().join(' ');
      const mounted = (service.volumes ?? []).map((v) => v.split(':')[1] ?? '');
      for (const match of command.matchAll(/(\/etc\/[\w./-]+\.(?:yml|yaml|tmpl|sh))/g)) {
        const path = match[1]!;
        expect(
          mounted.some((m) => path === m || path.startsWith(`${m}/`)),
          `${name}: ${path} is not mounted`,
        ).toBe(true);
      }
    }
  });

  it('publishes ports on the loopback only and depends on services that exist', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
      for (const dependency of service.depends_on ?? []) expect(compose.services).toHaveProperty(dependency);
    }
  });

  it('passes every setting configure.sh reads through from the environment, none of them required', () => {
    const script = readFileSync(join(COLLECTOR_DIR, 'alertmanager', 'configure.sh'), 'utf8');
    const code = script
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    const read = new Set([...code.matchAll(/\$\{?([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!));
    expect(read.size).toBeGreaterThan(5);
    const environment = compose.services['alertmanager']?.environment ?? {};
    expect(Object.keys(environment).toSorted()).toEqual([...read].toSorted());
    // Secrets come from files: no password, key or webhook is an environment variable.
    expect(Object.keys(environment).filter((name) => /PASSWORD|KEY|WEBHOOK/.test(name))).toEqual([]);
  });

  it('starts Prometheus and Grafana alone by default; Alertmanager and the Collector by profile', () => {
    const always = Object.entries(compose.services)
      .filter(([, s]) => s.profiles === undefined)
      .map(([name]) => name);
    expect(always.toSorted()).toEqual(['grafana', 'prometheus']);
    expect(compose.services['alertmanager']?.profiles).toEqual(['alerting', 'full']);
    expect(compose.services['otelcol']?.profiles).toEqual(['collector', 'full']);
    for (const name of always) {
      for (const value of Object.values(compose.services[name]?.environment ?? {}))
        expect(value).not.toMatch(/ALERT|SLACK|PAGERDUTY|SMTP/);
    }
  });
});
