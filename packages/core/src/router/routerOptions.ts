import { FragmentkitError } from '../errors.js';
import type { RouterOptions, RouterRequest } from './routerTypes.js';
import { createRouteTarget, type RouteTarget } from './routeTarget.js';

/**
 * Validates every target of the options.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when there is none or one is invalid.
 *
 * @example
 * ```ts
 * const targets = resolveTargets({ targets: { primary: { model } }, routes: { generate: ['primary'] } });
 * ```
 */
export function resolveTargets(options: RouterOptions): Map<string, RouteTarget> {
  if (typeof options?.targets !== 'object' || options.targets === null || Object.keys(options.targets).length === 0) {
    throw new FragmentkitError('INVALID_REQUEST', 'createRouter: `targets` must name at least one target.', {
      details: { option: 'targets' },
    });
  }
  return new Map(
    Object.entries(options.targets).map(([id, target]) => [id, createRouteTarget(id, target, options.timeouts)]),
  );
}

/**
 * Validates the routes: each task lists known targets, at least one, none twice.
 *
 * @throws FragmentkitError `INVALID_REQUEST` naming the route that is wrong.
 *
 * @example
 * ```ts
 * const routes = resolveRoutes({ generate: ['primary', 'fallback'] }, targets);
 * routes.get('generate'); // ['primary', 'fallback']
 * ```
 */
export function resolveRoutes(
  routes: RouterOptions['routes'],
  targets: ReadonlyMap<string, RouteTarget>,
): Map<string, readonly string[]> {
  if (typeof routes !== 'object' || routes === null || Object.keys(routes).length === 0) {
    throw new FragmentkitError('INVALID_REQUEST', 'createRouter: `routes` must map at least one task to target ids.', {
      details: { option: 'routes' },
    });
  }
  const resolved = new Map<string, readonly string[]>();
  for (const [task, ids] of Object.entries(routes)) {
    const problem =
      !Array.isArray(ids) || ids.length === 0
        ? 'must list at least one target id'
        : ids.find((id) => !targets.has(id)) !== undefined
          ? `names the unknown target '${ids.find((id) => !targets.has(id))}' (known: ${[...targets.keys()].join(', ')})`
          : new Set(ids).size !== ids.length
            ? 'lists a target twice'
            : undefined;
    if (problem) {
      throw new FragmentkitError('INVALID_REQUEST', `createRouter: route '${task}' ${problem}.`, {
        details: { option: `routes.${task}` },
      });
    }
    resolved.set(task, Object.freeze([...ids]));
  }
  return resolved;
}

/**
 * How long the router may wait for an open circuit: `undefined` to fail fast.
 *
 * @throws FragmentkitError `INVALID_REQUEST` for anything but `'fail-fast'` or `{ waitUpToMs }`.
 *
 * @example
 * ```ts
 * resolveAllTargetsOpen({ waitUpToMs: 5000 }); // 5000
 * resolveAllTargetsOpen('fail-fast'); // undefined
 * ```
 */
export function resolveAllTargetsOpen(value: RouterOptions['allTargetsOpen']): number | undefined {
  if (value === undefined || value === 'fail-fast') return undefined;
  if (typeof value === 'object' && value !== null && typeof value.waitUpToMs === 'number' && value.waitUpToMs >= 0) {
    return value.waitUpToMs;
  }
  throw new FragmentkitError(
    'INVALID_REQUEST',
    "createRouter: `allTargetsOpen` must be 'fail-fast' or { waitUpToMs: <milliseconds ≥ 0> }.",
    { details: { option: 'allTargetsOpen' } },
  );
}

/**
 * The size of each target's latency and outcome rings.
 *
 * @throws FragmentkitError `INVALID_REQUEST` outside 1–10 000.
 *
 * @example
 * ```ts
 * resolveSampleSize(undefined); // 100
 * ```
 */
export function resolveSampleSize(value: number | undefined): number {
  if (value === undefined) return 100;
  if (Number.isInteger(value) && value >= 1 && value <= 10_000) return value;
  throw new FragmentkitError(
    'INVALID_REQUEST',
    `createRouter: \`sampleSize\` must be an integer from 1 to 10000, got ${value}.`,
    {
      details: { option: 'sampleSize' },
    },
  );
}

/**
 * Rejects a request the models could not even be called with, before any target is tried,
 * so bad input is a 4xx and never counts against a target.
 *
 * @throws FragmentkitError `INVALID_REQUEST`.
 *
 * @example
 * ```ts
 * validateRequest({ system: '', messages: [{ role: 'user', content: 'hi' }] }); // passes
 * ```
 */
export function validateRequest(request: RouterRequest): void {
  const problem =
    typeof request !== 'object' || request === null
      ? 'must be an object'
      : !Array.isArray(request.messages)
        ? 'needs `messages`, an array'
        : request.userKeys !== undefined &&
            (typeof request.userKeys !== 'object' ||
              request.userKeys === null ||
              Object.values(request.userKeys).some((key) => typeof key !== 'string'))
          ? '`userKeys` must map provider names to API key strings'
          : request.fallbacks !== undefined &&
              (!Array.isArray(request.fallbacks) || request.fallbacks.some((id) => typeof id !== 'string'))
            ? '`fallbacks` must be an array of target ids'
            : request.cache !== undefined && request.cache !== 'default' && request.cache !== 'bypass'
              ? "`cache` must be 'default' or 'bypass'"
              : undefined;
  if (problem) {
    throw new FragmentkitError('INVALID_REQUEST', `The router request ${problem}.`, { details: { option: 'request' } });
  }
}

/**
 * The targets one request is tried on: its task's route, then its `fallbacks` that are not on
 * the route already, in the order given.
 *
 * @throws FragmentkitError `INVALID_REQUEST` naming a fallback that is not a target of the router.
 *
 * @example
 * ```ts
 * resolveFallbacks(['primary'], ['local', 'primary'], targets); // ['primary', 'local']
 * ```
 */
export function resolveFallbacks(
  route: readonly string[],
  fallbacks: readonly string[] | undefined,
  targets: ReadonlyMap<string, RouteTarget>,
): readonly string[] {
  if (!fallbacks || fallbacks.length === 0) return route;
  const unknown = fallbacks.filter((id) => !targets.has(id));
  if (unknown.length > 0) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `Unknown fallback target${unknown.length === 1 ? '' : 's'} ${unknown.map((id) => `'${id}'`).join(', ')}. Known targets: ${[...targets.keys()].join(', ')}.`,
      { details: { option: 'fallbacks', unknown } },
    );
  }
  return [...new Set([...route, ...fallbacks])];
}
