import type { ModelCatalog } from './modelCatalog.js';
import type { RouteHandler } from './router.js';

/** `GET {basePath}/health`: liveness plus the selectable models, never any credentials. */
export function createHealthRoute(catalog: ModelCatalog): RouteHandler {
  const body = {
    status: 'ok',
    models: catalog.entries.map(({ id, model }) => ({ id, provider: model.provider, model: model.modelId })),
    defaultModel: catalog.defaultId,
  };
  return async () => Response.json(body, { headers: { 'cache-control': 'no-store' } });
}
