import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createFragmentkit, createFragmentStore } from '@fragmentkit/server';
import { toNodeHandler } from '@fragmentkit/server/node';
import { createPgliteDatabase, defaultPgliteDataDir } from '@fragmentkit/server/pglite';
import express from 'express';
import { modelsFromEnv } from './models.js';

const clientDir = fileURLToPath(new URL('../dist', import.meta.url));
const require = createRequire(import.meta.url);

/** The preview runtime `<FragmentPreview>` frames load; it ships with `@fragmentkit/react`, so it matches the client. */
function readPreviewRuntime(): Promise<string> {
  return readFile(require.resolve('@fragmentkit/react/preview-runtime.js'), 'utf8');
}

/**
 * The editor example: an Express server that mounts fragmentkit under `/api/fragmentkit` with
 * agent tasks (`/tasks`), versioned project files (`/projects/:id/...`) kept in PGlite, and
 * the preview runtime, and serves the Vite-built editor. `FRAGMENTKIT_DATA_DIR` picks the
 * PGlite folder (default `.fragmentkit/db`; `memory://` keeps nothing on disk).
 * `app.locals.close()` closes the database.
 */
export function createApp(env: NodeJS.ProcessEnv = process.env): express.Express {
  const { model, models } = modelsFromEnv(env);
  const database = createPgliteDatabase({ dataDir: env.FRAGMENTKIT_DATA_DIR || defaultPgliteDataDir });
  const store = createFragmentStore(database);
  const fragmentkit = createFragmentkit({
    basePath: '/api/fragmentkit',
    model,
    models,
    store,
    tasks: {},
    projects: store.projectSnapshots,
    preview: { runtime: readPreviewRuntime },
  });

  const app = express();
  app.locals.close = () => database.close();
  // Tells the client whether a model answers agent tasks.
  app.get('/app/config.json', (_request, response) => {
    response.json({ modelConfigured: model !== undefined });
  });
  app.use('/api/fragmentkit', toNodeHandler(fragmentkit));
  if (!existsSync(clientDir)) {
    throw new Error(`The client is not built yet (${clientDir} is missing). Run \`pnpm demo\` in this folder.`);
  }
  app.use(express.static(clientDir));
  return app;
}
