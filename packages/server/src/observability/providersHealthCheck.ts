import { routerTargets, statusOf } from '../healthRoute.js';
import type { ModelCatalog } from '../modelCatalog.js';
import type { HealthCheck, HealthCheckOutcome } from './healthChecks.js';

/**
 * The models a chat can be answered with. With a router: each target's circuit, recent error
 * rate and latency, `degraded` while some circuit is not closed and `down` when none is closed
 * or half-open. Without one: the configured models, `down` when there are none. It reads
 * state the router keeps anyway, so it calls no provider and costs nothing.
 */
export function providersHealthCheck(catalog: ModelCatalog): HealthCheck {
  const models = catalog.entries.map(({ id, model }) => ({ id, provider: model.provider, model: model.modelId }));
  return async (): Promise<HealthCheckOutcome> => {
    const { router } = catalog;
    if (!router) {
      if (models.length === 0) {
        return { status: 'down', message: 'No model is configured, so chats answer PROVIDER_NOT_CONFIGURED.' };
      }
      return { status: 'ok', details: { models, defaultModel: catalog.defaultId } };
    }
    const targets = routerTargets(router);
    const status = statusOf(targets);
    const open = targets.filter((target) => target.circuit !== 'closed').map((target) => target.id);
    return {
      status: status === 'unavailable' ? 'down' : status,
      ...(open.length === 0 ? {} : { message: `Circuits not closed: ${open.join(', ')}.` }),
      details: { targets, ...(models.length === 0 ? {} : { models }) },
    };
  };
}
