import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/** What a registry user sees of each published package: its README, LICENSE and peer ranges. */
const root = new URL('..', import.meta.url).pathname;

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  files?: string[];
  peerDependencies?: Record<string, string>;
}

const readJson = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;

const published = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), manifest: readJson(join(root, 'packages', dir, 'package.json')) }))
  .filter(({ manifest }) => manifest.private !== true);

const licence = readFileSync(join(root, 'LICENSE'), 'utf8');

describe('published packages', () => {
  it('are found', () => {
    expect(published.map(({ manifest }) => manifest.name)).toEqual(
      expect.arrayContaining(['@agentmeter/core', '@agentmeter/db', '@agentmeter/llm', '@agentmeter/node']),
    );
  });

  it('the repository is Apache-2.0', () => {
    expect(licence).toMatch(/^\s+Apache License\s+Version 2\.0, January 2004/);
  });

  describe.each(published)('$manifest.name', ({ dir, manifest }) => {
    it('is Apache-2.0 and ships the licence text', () => {
      expect(manifest.license).toBe('Apache-2.0');
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(licence);
    });

    it('has a README that names it, says how to install and use it, and links the docs', () => {
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      expect(readme.split('\n')[0]).toBe(`# ${manifest.name}`);
      expect(readme).toContain(`npm install`);
      expect(readme).toContain(manifest.name);
      expect(readme).toMatch(/```ts\n[\s\S]+?\n```/);
      for (const [, target] of readme.matchAll(/\]\((\.\.?\/[^)#]+)(?:#[^)]*)?\)/g)) {
        expect(existsSync(join(dir, target!)), `${manifest.name} README links ${target}`).toBe(true);
      }
    });

    const peers = Object.entries(manifest.peerDependencies ?? {});
    it.runIf(peers.length > 0).each(peers)(
      'declares peer %s %s: one tested major, installed in the tests',
      (peer, range) => {
        const installed = readJson(join(dir, 'node_modules', peer, 'package.json')) as Manifest & { version: string };
        const tested = semver.parse(installed.version)!;
        expect(semver.satisfies(tested, range), `${peer}@${tested.version} is outside ${range}`).toBe(true);
        // Nothing outside the tested major: the range's floor is in it, and the next major is excluded.
        const floor = semver.minVersion(range)!;
        const next = tested.major === 0 ? `0.${tested.minor + 1}.0` : `${tested.major + 1}.0.0`;
        expect(tested.major === 0 ? floor.minor : floor.major).toBe(tested.major === 0 ? tested.minor : tested.major);
        expect(semver.satisfies(next, range), `${range} admits untested ${next}`).toBe(false);
      },
    );
  });
});

describe('documentation links', () => {
  const pages = [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((file) => file.endsWith('.md'))
      .map((file) => `docs/${file}`),
  ];

  it.each(pages)('%s links only files that exist', (page) => {
    const text = readFileSync(join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '');
    const base = join(root, page, '..');
    const broken = [...text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)]
      .map(([, target]) => target!)
      .filter((target) => !/^[a-z]+:/i.test(target))
      .filter((target) => !existsSync(join(base, target)));
    expect(broken).toEqual([]);
  });
});
