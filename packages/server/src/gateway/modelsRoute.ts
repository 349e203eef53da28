import type { RouteHandler } from '../router.js';
import type { ResolvedGatewayOptions } from './gatewayOptions.js';

/**
 * `GET {basePath}/v1/models`: the gateway's model names in the OpenAI list shape, so OpenAI
 * clients and tools can discover them. Which targets stand behind a name is not disclosed.
 *
 * @example
 * ```ts
 * const handler = createModelsRoute(resolveGatewayOptions({ models: { 'fk-smart': 'generate' } }));
 * ```
 */
export function createModelsRoute(gateway: ResolvedGatewayOptions): RouteHandler {
  const body = {
    object: 'list',
    data: [...gateway.models.keys()].map((id) => ({ id, object: 'model', created: 0, owned_by: 'fragmentkit' })),
  };
  return async () => Response.json(body);
}
