import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createFragmentkit, createFragmentStore, type Fragmentkit } from '@fragmentkit/server';
import { type NextHandlers, toNextHandlers } from '@fragmentkit/server/next';
import { createPgliteDatabase } from '@fragmentkit/server/pglite';
import { modelsFromEnv } from './models';

/**
 * The preview runtime (React plus a renderer) that `<FragmentPreview>` frames load from
 * `/api/fragmentkit/preview/runtime.js`. It ships with `@fragmentkit/react`, so it always
 * matches the client. Node's own `createRequire` resolves it from the app folder at run time:
 * the bundler rewrites an imported `createRequire` and `require.resolve` into module ids.
 */
function readPreviewRuntime(): Promise<string> {
  const { createRequire } = process.getBuiltinModule('node:module');
  const require = createRequire(path.join(process.cwd(), 'package.json'));
  return readFile(require.resolve('@fragmentkit/react/preview-runtime.js'), 'utf8');
}

function createAppFragmentkit(env: NodeJS.ProcessEnv): Fragmentkit {
  const { model, models } = modelsFromEnv(env);
  return createFragmentkit({
    basePath: '/api/fragmentkit',
    model,
    models,
    // Conversations survive restarts in an embedded Postgres under .fragmentkit/ (git-ignored).
    store: createFragmentStore(createPgliteDatabase({ dataDir: env.FRAGMENTKIT_DATA_DIR || '.fragmentkit/db' })),
    // Every visitor without credentials is a guest; locally that is one shared identity.
    guest: true,
    preview: { runtime: readPreviewRuntime },
  });
}

// `next dev` re-evaluates modules on every edit; one PGlite instance per data folder must
// survive that, so the instance lives on globalThis rather than in module scope.
const instanceKey = Symbol.for('@fragmentkit/example-next-fragments');
type InstanceHolder = typeof globalThis & { [instanceKey]?: NextHandlers };

/**
 * The route handlers, created on the first request rather than on import: `next build`
 * imports route modules, and opening the database there would be wasted (or worse, racy) work.
 */
export function fragmentkitHandlers(): NextHandlers {
  const holder = globalThis as InstanceHolder;
  holder[instanceKey] ??= toNextHandlers(createAppFragmentkit(process.env));
  return holder[instanceKey];
}
