import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'providers/index': 'src/providers/index.ts',
    'redis/index': 'src/redis/index.ts',
    'reporter/index': 'src/reporter/index.ts',
    'node/index': 'src/node/index.ts',
    'e2b/index': 'src/e2b/index.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  external: [
    '@anthropic-ai/sdk',
    'openai',
    'zod',
    'ioredis',
    'eventsource-parser',
    'e2b',
    '@e2b/code-interpreter',
    'gpt-tokenizer',
    /^gpt-tokenizer\//,
    /^node:/,
  ],
});
