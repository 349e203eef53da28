import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';

const workspaceRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * `docs/examples` is not a workspace package, so it has no node_modules of its own. Its bare
 * imports resolve as if written in the reference app or the packages that depend on the same
 * libraries, through their real `exports` (with the source condition), so an import that a
 * package does not export fails here as it would for a user.
 */
function docsExamplesResolution(): Plugin {
  const anchors = [
    'examples/express-vite/server/app.ts',
    'packages/server/src/index.ts',
    'packages/react/src/index.ts',
    'packages/core/src/index.ts',
  ].map((path) => `${workspaceRoot}${path}`);
  return {
    name: 'docs-examples-resolution',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer?.includes('/docs/examples/') || /^(\.|\/|node:|virtual:|\0)/.test(source)) return null;
      for (const anchor of anchors) {
        const resolved = await this.resolve(source, anchor, { ...options, skipSelf: true });
        if (resolved) return resolved;
      }
      return null;
    },
  };
}

// Tests of the repository's tooling and of the guides' examples: `pnpm test:tooling`.
export default defineConfig({
  plugins: [docsExamplesResolution()],
  resolve: { conditions: ['@fragmentkit/source'] },
  ssr: { resolve: { conditions: ['@fragmentkit/source'] } },
  test: {
    root: workspaceRoot,
    include: ['scripts/**/*.test.ts', 'docs/examples/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 30_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/tooling.json' }]] : ['default'],
  },
});
