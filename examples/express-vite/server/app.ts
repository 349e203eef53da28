import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createFragmentkit } from '@fragmentkit/server';
import { toNodeHandler } from '@fragmentkit/server/node';
import express from 'express';
import { demoIncidents } from './incidents.js';
import { modelsFromEnv } from './models.js';
import { sandboxFromEnv } from './sandboxRuntime.js';

const clientDir = fileURLToPath(new URL('../dist', import.meta.url));
const require = createRequire(import.meta.url);

/**
 * The preview runtime (React plus a renderer) that `<FragmentPreview>` frames load from
 * `/api/fragmentkit/preview/runtime.js`. It ships with `@fragmentkit/react`, so it always
 * matches the client; the server package only serves the text it is given.
 */
function readPreviewRuntime(): Promise<string> {
  return readFile(require.resolve('@fragmentkit/react/preview-runtime.js'), 'utf8');
}

/**
 * The reference host app: an ordinary Express server that mounts fragmentkit under
 * `/api/fragmentkit` (chat, health, the preview runtime and, unless `FRAGMENTKIT_SANDBOX` is
 * `browser`, sandbox runs) and serves the Vite-built React client. `app.locals.close()` stops
 * the sandboxes it started.
 */
export function createApp(env: NodeJS.ProcessEnv = process.env): express.Express {
  const { model, models } = modelsFromEnv(env);
  const sandbox = sandboxFromEnv(env);
  const fragmentkit = createFragmentkit({
    basePath: '/api/fragmentkit',
    model,
    models,
    preview: { runtime: readPreviewRuntime },
    incidents: demoIncidents(),
    ...(sandbox.sandbox ? { sandbox: sandbox.sandbox } : {}),
  });

  const app = express();
  app.locals.close = sandbox.close;
  // Tells the client where "Run" executes fragments.
  app.get('/app/config.json', (_request, response) => {
    response.json({ sandbox: sandbox.runtime });
  });
  app.use('/api/fragmentkit', toNodeHandler(fragmentkit));
  if (!existsSync(clientDir)) {
    throw new Error(
      `The client is not built yet (${clientDir} is missing). Run \`pnpm demo\` from the repository root.`,
    );
  }
  app.use(express.static(clientDir));
  return app;
}
