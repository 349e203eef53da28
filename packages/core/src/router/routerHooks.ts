import { recordForCache } from '../cache/recordForCache.js';
import type { ResponseCache } from '../cache/responseCache.js';
import { responseCacheKey } from '../cache/responseCacheKey.js';
import { type Cost, computeCost } from '../cost/computeCost.js';
import type { PriceTable } from '../cost/priceTable.js';
import type { ModelRequest } from '../providers/types.js';
import { type Quota, toQuotaConsumption } from '../quota/quota.js';
import { quotaExceededError } from '../quota/quotaExceededError.js';
import { type Clock, systemClock } from './clock.js';
import type {
  RouterAnswer,
  RouterBeforeRouteContext,
  RouterOptions,
  RouterReplay,
  RouterRequest,
} from './routerTypes.js';

/**
 * Options of {@link createRouterHooks}. Every part is optional: leave out what you do not use.
 *
 * @example
 * ```ts
 * import { createMemoryResponseCache, createPriceTable, createQuota, type RouterHooksOptions } from '@fragmentkit/core';
 *
 * const options: RouterHooksOptions = {
 *   cache: createMemoryResponseCache(),
 *   prices: createPriceTable(),
 *   quota: createQuota({ limits: { user: { dailyUsd: 2 } } }),
 * };
 * ```
 */
export interface RouterHooksOptions {
  /** Serves repeated requests from here and keeps complete answers in it. */
  cache?: ResponseCache;
  /** How long a stored answer lives; defaults to the cache's own TTL. */
  cacheTtlMs?: number;
  /** Prices each answer for the quota and for `onCost`. Without it, cost is unknown and only token limits count. */
  prices?: PriceTable;
  /** Checked before a request is routed and charged after it is answered, for the request's `subject`. */
  quota?: Pick<Quota, 'check' | 'record'>;
  /** When a cached answer was made. Defaults to {@link systemClock}. */
  clock?: Clock;
  /** Runs after each answer a model produced (not cache hits), with its cost (`undefined` without a price): feed a ledger or metrics. */
  onCost?: (answer: RouterAnswer, cost: Cost | undefined) => Promise<void> | void;
}

/**
 * The `beforeRoute` and `onAnswer` hooks of a router, as {@link createRouterHooks} makes them.
 *
 * @example
 * ```ts
 * const hooks: RouterHooks = createRouterHooks({ cache });
 * const router = createRouter({ targets, routes, ...hooks });
 * ```
 */
export interface RouterHooks {
  beforeRoute: NonNullable<RouterOptions['beforeRoute']>;
  onAnswer: NonNullable<RouterOptions['onAnswer']>;
}

/**
 * Wires a response cache, prices and a quota into a router. Per request, in this order:
 *
 * 1. `beforeRoute` checks the quota of the request's `subject` and refuses a used-up one with
 *    `QUOTA_EXCEEDED` (429) before any model runs; a request without a subject is not limited.
 * 2. Unless the request says `cache: 'bypass'`, it looks the request up under the
 *    {@link responseCacheKey} of each of its targets, in route order, and serves the first hit
 *    as a replay (the answer streams at once, with zero usage: it cost nothing).
 * 3. `onAnswer`, for an answer a model produced, prices it with {@link computeCost}, charges the
 *    subject's quota (not when the caller's own API key paid), reports the cost to `onCost`, and
 *    stores the answer through {@link recordForCache}: only a complete one (finish reason
 *    `stop`), never one that was restarted after another target broke off mid-answer, and not
 *    with `cache: 'bypass'`. A cache hit charges and stores nothing.
 *
 * Targets built by a factory get cache hits once their model id is known to the router.
 *
 * @example
 * ```ts
 * import { createMemoryResponseCache, createPriceTable, createQuota, createRouter, createRouterHooks } from '@fragmentkit/core';
 *
 * const router = createRouter({
 *   targets,
 *   routes: { generate: ['sonnet', 'mini'] },
 *   ...createRouterHooks({
 *     cache: createMemoryResponseCache({ ttlMs: 10 * 60_000 }),
 *     prices: createPriceTable(),
 *     quota: createQuota({ limits: { user: { dailyUsd: 2 }, team: { monthlyUsd: 200 } } }),
 *     onCost: (answer, cost) => ledger.add(answer.request.subject, answer.model, cost?.totalUsd),
 *   }),
 * });
 *
 * await router.stream('generate', { system, messages, subject: { userId, teamId } });
 * ```
 */
export function createRouterHooks(options: RouterHooksOptions = {}): RouterHooks {
  const { cache, cacheTtlMs, prices, quota, onCost } = options;
  const clock = options.clock ?? systemClock;

  async function lookUp({ request, targets }: RouterBeforeRouteContext): Promise<RouterReplay | undefined> {
    if (!cache || request.cache === 'bypass') return undefined;
    for (const { targetId, provider, model } of targets) {
      if (provider === undefined || model === undefined) continue;
      const cached = await cache.get(await cacheKeyOf(request, provider, model));
      if (!cached) continue;
      const text = cached.events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
      return { text, usage: { inputTokens: 0, outputTokens: 0 }, finishReason: 'stop', targetId, provider, model };
    }
    return undefined;
  }

  async function store(answer: RouterAnswer): Promise<void> {
    if (!cache || answer.request.cache === 'bypass') return;
    // A restarted answer followed a broken one; keep only answers that streamed cleanly.
    if (answer.attempts.some((attempt) => attempt.partialOutput)) return;
    const recorded = recordForCache(
      [
        { type: 'text-delta', text: answer.text },
        { type: 'finish', finishReason: answer.finishReason, usage: answer.usage },
      ],
      { provider: answer.provider, model: answer.model, createdAt: clock.now() },
    );
    if (recorded)
      await cache.set(await cacheKeyOf(answer.request, answer.provider, answer.model), recorded, cacheTtlMs);
  }

  return {
    async beforeRoute(context) {
      const { subject } = context.request;
      if (quota && subject) {
        const decision = await quota.check(subject);
        if (!decision.allowed) throw quotaExceededError(decision);
      }
      return lookUp(context);
    },
    async onAnswer(answer) {
      if (answer.cached) return;
      const cost = prices
        ? computeCost(answer.usage, { provider: answer.provider, modelId: answer.model }, prices)
        : undefined;
      const { subject } = answer.request;
      if (quota && subject && !answer.userKey) await quota.record(subject, toQuotaConsumption(answer.usage, cost));
      await onCost?.(answer, cost);
      await store(answer);
    },
  };
}

/** The key covers what the model sees; who asks, with whose key, and how it is routed do not change the answer. */
function cacheKeyOf(request: RouterRequest, provider: string, model: string): Promise<string> {
  const {
    signal: _signal,
    userKeys: _userKeys,
    fallbacks: _fallbacks,
    subject: _subject,
    cache: _cache,
    ...modelRequest
  } = request;
  return responseCacheKey({ provider, model, ...(modelRequest satisfies Omit<ModelRequest, 'signal'>) });
}
