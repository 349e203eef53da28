import { defineConfig } from 'vitest/config';

// End-to-end tests run `next start` on the production build (`next build`), which imports the
// built packages (dist), exactly as an installed app would.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 90_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '../../test-results/e2e-next.json' }]] : ['default'],
  },
});
