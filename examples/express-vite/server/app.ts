import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createFragmentkit } from '@fragmentkit/server';
import { toNodeHandler } from '@fragmentkit/server/node';
import express from 'express';
import { modelsFromEnv } from './models.js';

const clientDir = fileURLToPath(new URL('../dist', import.meta.url));

/**
 * The reference host app: an ordinary Express server that mounts fragmentkit under
 * `/api/fragmentkit` and serves the Vite-built React client.
 */
export function createApp(env: NodeJS.ProcessEnv = process.env): express.Express {
  const { model, models } = modelsFromEnv(env);
  const fragmentkit = createFragmentkit({ basePath: '/api/fragmentkit', model, models });

  const app = express();
  app.use('/api/fragmentkit', toNodeHandler(fragmentkit));
  if (!existsSync(clientDir)) {
    throw new Error(
      `The client is not built yet (${clientDir} is missing). Run \`pnpm demo\` from the repository root.`,
    );
  }
  app.use(express.static(clientDir));
  return app;
}
