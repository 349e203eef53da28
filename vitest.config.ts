import { defineConfig } from 'vitest/config';

const sourceCondition = { conditions: ['@fragmentkit/source'] };

// In CI a JSON report is written too, so .ci/run can print one plain "N passed, N failed" line.
const reporters = process.env.CI
  ? ['default', ['json', { outputFile: 'test-results/unit.json' }] as const]
  : ['default'];

export default defineConfig({
  test: {
    reporters,
    projects: [
      {
        resolve: sourceCondition,
        ssr: { resolve: { conditions: ['@fragmentkit/source'] } },
        test: { name: 'core', root: 'packages/core', environment: 'node', include: ['src/**/*.test.ts'] },
      },
      {
        resolve: sourceCondition,
        ssr: { resolve: { conditions: ['@fragmentkit/source'] } },
        test: {
          name: 'server',
          root: 'packages/server',
          environment: 'node',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: sourceCondition,
        test: {
          name: 'react',
          root: 'packages/react',
          environment: 'jsdom',
          include: ['src/**/*.test.{ts,tsx}'],
        },
      },
      {
        resolve: sourceCondition,
        ssr: { resolve: { conditions: ['@fragmentkit/source'] } },
        test: {
          name: 'fake-provider',
          root: 'internal/fake-provider',
          environment: 'node',
          include: ['src/**/*.test.ts'],
        },
      },
    ],
  },
});
