import { defineConfig } from 'vitest/config';

// End-to-end tests run against the built packages (dist), exactly as an installed user would.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 90_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: '../../test-results/e2e-editor.json' }]]
      : ['default'],
  },
});
