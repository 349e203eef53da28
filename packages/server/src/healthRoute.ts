import type { Router } from '@fragmentkit/core';
import type { ModelCatalog } from './modelCatalog.js';
import type { RouteHandler } from './router.js';

/**
 * `GET {basePath}/health`: liveness, the selectable models and, with a router, each target's
 * circuit and recent health, never any credentials or upstream error text. It answers 200 even
 * when every target is down, so a load balancer does not take the instance out for a provider
 * outage; `status` says `degraded` when some circuit is not closed and `unavailable` when none
 * is closed or half-open.
 *
 * @example
 * ```ts
 * const routes = { '/health': { GET: { handler: createHealthRoute(catalog), public: true } } };
 * ```
 */
export function createHealthRoute(catalog: ModelCatalog): RouteHandler {
  const models = catalog.entries.map(({ id, model }) => ({ id, provider: model.provider, model: model.modelId }));
  const { router } = catalog;
  return async () => {
    const targets = router ? routerTargets(router) : undefined;
    const body = {
      status: targets ? statusOf(targets) : 'ok',
      models,
      defaultModel: catalog.defaultId,
      ...(targets ? { router: { targets } } : {}),
    };
    return Response.json(body, { headers: { 'cache-control': 'no-store' } });
  };
}

/** Each router target's circuit and recent health, without upstream error text. */
export function routerTargets(router: Router) {
  return Object.values(router.getSnapshot().targets).map((target) => ({
    id: target.targetId,
    provider: target.provider ?? null,
    model: target.model ?? null,
    circuit: target.circuit,
    retryAt: target.retryAt === undefined ? null : new Date(target.retryAt).toISOString(),
    recentErrorRate: target.recentErrorRate,
    recentAttempts: target.recentAttempts,
    timeToFirstTokenMs: target.timeToFirstTokenMs ?? null,
    // The code is enough to act on; upstream messages can carry account details.
    lastError: target.lastError
      ? { code: target.lastError.code, at: new Date(target.lastError.at).toISOString() }
      : null,
  }));
}

export function statusOf(targets: ReadonlyArray<{ circuit: string }>): 'ok' | 'degraded' | 'unavailable' {
  if (targets.every((target) => target.circuit === 'closed')) return 'ok';
  return targets.some((target) => target.circuit === 'closed' || target.circuit === 'half-open')
    ? 'degraded'
    : 'unavailable';
}
