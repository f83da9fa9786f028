import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLLECTOR_DIR } from './helpers/tools.ts';

const ROOT = join(COLLECTOR_DIR, '..');

/** The environment variables an operator sets: agentmeter's, OpenTelemetry's, the monitoring stack's. */
const ENV_NAME =
  /\b(?:AGENTMETER|OTEL|GRAFANA|PROMETHEUS|SLACK|SMTP|ALERT|ALERTMANAGER|PAGERDUTY)_[A-Z0-9_]*[A-Z0-9]\b_?(?!\w)/g;

function files(
  dir: string,
  keep: (name: string) => boolean,
  skip: readonly string[] = ['node_modules', 'dist'],
): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (skip.includes(name)) return [];
    return statSync(path).isDirectory() ? files(path, keep, skip) : keep(name) ? [path] : [];
  });
}

const text = (paths: readonly string[]): string => paths.map((p) => readFileSync(p, 'utf8')).join('\n');

/**
 * Where the project reads its variables: sources, test tools (the provider simulator, the
 * reliability suite), scripts, Collector, Alertmanager and Compose configs, and tests (the fuzzing knobs are test settings). This file is left out: it names none.
 */
const isCode = (name: string): boolean =>
  /\.(ts|mts|js|mjs|sh|ya?ml)$/.test(name) && name !== 'docs-environment.test.ts';

function projectCode(): string {
  const code = isCode;
  return text([
    ...files(join(ROOT, 'packages'), code),
    ...files(join(ROOT, 'test-tools'), code),
    ...files(join(ROOT, 'examples'), code),
    ...files(join(ROOT, 'scripts'), code),
    ...files(COLLECTOR_DIR, code),
  ]);
}

/** The OpenTelemetry JS SDK packages @agentmeter/node runs, which read the OTEL_* variables. */
function openTelemetryCode(): string {
  const store = join(ROOT, 'node_modules', '.pnpm');
  const packages = readdirSync(store).filter((name) => name.startsWith('@opentelemetry+'));
  return text(
    packages.flatMap((name) =>
      files(join(store, name, 'node_modules', '@opentelemetry'), (f) => /\.(c|m)?js$/.test(f), []),
    ),
  );
}

describe('the environment variables the docs name', () => {
  it('are each read by the code (agentmeter, the OpenTelemetry SDK, or the collector/ configs)', () => {
    const docs = [
      ...files(join(ROOT, 'docs'), (n) => n.endsWith('.md'), ['node_modules', 'dist', 'api']),
      join(ROOT, 'README.md'),
      join(COLLECTOR_DIR, 'README.md'),
    ];
    const named = new Map<string, string>();
    for (const doc of docs) {
      for (const match of readFileSync(doc, 'utf8').matchAll(ENV_NAME))
        if (!named.has(match[0])) named.set(match[0], doc.slice(ROOT.length + 1));
    }
    expect(named.size).toBeGreaterThan(30);
    const ours = projectCode();
    let sdk: string | undefined;
    const unread: string[] = [];
    for (const [name, doc] of named) {
      // A name ending in `_` is a prefix (`AGENTMETER_PROMETHEUS_*`): some variable read must start with it.
      const read = (code: string): boolean =>
        name.endsWith('_') ? code.includes(name) : new RegExp(`\\b${name}\\b`).test(code);
      if (read(ours)) continue;
      if (name.startsWith('OTEL_') && read((sdk ??= openTelemetryCode()))) continue;
      unread.push(`${name} (${doc})`);
    }
    expect(unread).toEqual([]);
  });
});
