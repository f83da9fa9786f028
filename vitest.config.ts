import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources, so tests need no build step.
    conditions: ['@agentmeter/source'],
  },
  // Tests run in Vite's SSR environment, which takes its own resolve conditions.
  ssr: { resolve: { conditions: ['@agentmeter/source'] } },
  test: {
    include: [
      'test/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'test-tools/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'collector/test/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
  },
});
