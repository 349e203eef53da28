import path from 'node:path';

// The fixture compiles fragmentkit from source, the way the monorepo's tests run it: the
// repository is the root, packages resolve to their `@fragmentkit/source` entries, and their
// `./x.js` imports resolve to `./x.ts`. Turbopack (Next 15.5) cannot map `.js` to `.ts`
// (vercel/next.js#82945), so this fixture runs on webpack. Apps that install the published
// packages import built JavaScript and need none of this.
const repositoryRoot = path.resolve(import.meta.dirname, '../../../..');
const serverSource = path.join(repositoryRoot, 'packages/server/src');

/** @type {import('next').NextConfig} */
const nextConfig = {
  outputFileTracingRoot: repositoryRoot,
  transpilePackages: ['@fragmentkit/core', '@fragmentkit/server'],
  experimental: { externalDir: true },
  webpack(config) {
    config.resolve.conditionNames = ['@fragmentkit/source', ...(config.resolve.conditionNames ?? ['...'])];
    config.resolve.extensionAlias = { '.js': ['.ts', '.js'] };
    config.resolve.alias = {
      ...config.resolve.alias,
      '@fragmentkit/server/next$': path.join(serverSource, 'next.ts'),
      '@fragmentkit/server$': path.join(serverSource, 'index.ts'),
    };
    return config;
  },
};

export default nextConfig;
