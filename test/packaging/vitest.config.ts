import { defineConfig } from 'vitest/config';

// The packaging test installs the packed packages into a project outside the workspace, so it runs
// on its own (`pnpm test:packaging`, after `pnpm build`), never as part of `pnpm test`.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['**/*.test.ts'],
    exclude: ['consumer/**', '**/node_modules/**'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 600_000,
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: '../../test-results/packaging.json' }]]
      : ['default'],
  },
});
