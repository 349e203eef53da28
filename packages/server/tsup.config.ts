import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    node: 'src/node.ts',
    next: 'src/next.ts',
    redis: 'src/redis.ts',
    pglite: 'src/pglite.ts',
    postgres: 'src/postgres.ts',
    bullmq: 'src/bullmq.ts',
    hono: 'src/hono.ts',
    fastify: 'src/fastify.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['@fragmentkit/core', 'zod', 'ioredis', 'pg', '@electric-sql/pglite', 'bullmq', 'hono', 'fastify', 'jose'],
});
