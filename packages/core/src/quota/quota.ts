import type { Cost } from '../cost/computeCost.js';
import { type Clock, systemClock } from '../router/clock.js';
import { createStoreFailover } from '../storeFailover.js';
import type { Usage } from '../usage.js';
import {
  consumptionInCounterUnits,
  type LimitField,
  limitFields,
  limitInCounterUnits,
  microUsdPerUsd,
  type QuotaScope,
  scopesOf,
  validateLimits,
} from './quotaLimits.js';
import { quotaPeriodWindow } from './quotaPeriod.js';
import type { QuotaCounterUpdate, QuotaStore } from './quotaStore.js';
import { createMemoryQuotaStore } from './quotaStoreMemory.js';
import type { QuotaConsumption, QuotaDecision, QuotaLimitState, QuotaLimitsByScope, QuotaSubject } from './types.js';

/**
 * The {@link QuotaStore} method that failed, as reported to `onStoreError`.
 *
 * @example
 * ```ts
 * import type { QuotaStoreOperation } from '@fragmentkit/core';
 * const operation: QuotaStoreOperation = 'add';
 * ```
 */
export type QuotaStoreOperation = 'read' | 'add';

/**
 * Options of {@link createQuota}.
 *
 * @example
 * ```ts
 * import { createQuota, type QuotaOptions } from '@fragmentkit/core';
 * const options: QuotaOptions = { limits: { user: { dailyTokens: 500_000 }, team: { monthlyUsd: 300 } } };
 * const quota = createQuota(options);
 * ```
 */
export interface QuotaOptions {
  /**
   * The limits, or a function that finds them for a subject (e.g. from the team's plan). The
   * function runs on every `check` and `record`; cache what it looks up if that is slow.
   */
  limits: QuotaLimitsByScope | ((subject: QuotaSubject) => QuotaLimitsByScope | Promise<QuotaLimitsByScope>);
  /** Where counters live. Defaults to a new {@link createMemoryQuotaStore}; pass a Redis store to share them between instances. */
  store?: QuotaStore;
  /** Defaults to {@link systemClock}. */
  clock?: Clock;
  /**
   * Called when the store fails (e.g. Redis is unreachable). The quota then counts in an
   * in-memory store of this process until the store answers again, so an outage never fails a
   * request; that insurance starts from zero, so limits are enforced per instance and loosely
   * until then. Without this option the quota logs one `console.warn` per outage. Must not throw.
   */
  onStoreError?: (error: unknown, context: { operation: QuotaStoreOperation; outageStarted: boolean }) => void;
}

/**
 * Usage limits per user and per team. See {@link createQuota}.
 *
 * @example
 * ```ts
 * const decision = await quota.check(subject);
 * ```
 */
export interface Quota {
  /**
   * Where the subject's limits stand now. Call it before a model call and refuse the call when
   * `allowed` is false (see {@link quotaExceededError}).
   *
   * @throws FragmentkitError `INVALID_REQUEST` when an id is empty or a limit is not valid.
   */
  check(subject: QuotaSubject): Promise<QuotaDecision>;
  /**
   * Adds what a call consumed to every counter of the subject (its user's and its team's, daily
   * and monthly, whether or not a limit applies to them today, so raising a limit later counts
   * what was already used). Answers where the limits stand afterwards.
   *
   * @throws FragmentkitError `INVALID_REQUEST` when an id is empty, or the consumption or a limit is not valid.
   */
  record(subject: QuotaSubject, consumption: QuotaConsumption): Promise<QuotaDecision>;
}

interface ActiveLimit {
  scope: QuotaScope;
  subjectId: string;
  definition: LimitField;
  /** In counter units: tokens, or micro-dollars. */
  limit: number;
}

/**
 * Creates a {@link Quota}: daily and monthly limits on tokens and on money, per user and per
 * team. Periods are UTC calendar days and months: a daily limit resets at 00:00 UTC, a monthly
 * one at 00:00 UTC on the first of the month, whatever the host's time zone.
 *
 * A limit is used up when consumption reaches it (`used >= limit`), so a limit of 0 allows
 * nothing. Checks and records are separate steps and usage is only known once a call ends, so
 * calls that run at the same time can together go past a limit by what they consume; the next
 * check after them is denied.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when a limit is not a number of at least 0 (token
 * limits: a whole number).
 *
 * @example
 * ```ts
 * import { computeCost, createPriceTable, createQuota, quotaExceededError, toQuotaConsumption } from '@fragmentkit/core';
 * import { createRedisQuotaStore } from '@fragmentkit/core/redis';
 *
 * const quota = createQuota({
 *   store: createRedisQuotaStore(redis),
 *   limits: async ({ teamId }) => ({ user: { dailyTokens: 500_000 }, team: { monthlyUsd: await plans.budgetOf(teamId) } }),
 * });
 *
 * const subject = { userId: session.userId, teamId: session.teamId };
 * const decision = await quota.check(subject);
 * if (!decision.allowed) throw quotaExceededError(decision); // 429 QUOTA_EXCEEDED
 * // ... call the model, then:
 * await quota.record(subject, toQuotaConsumption(usage, computeCost(usage, target, prices)));
 * ```
 */
export function createQuota(options: QuotaOptions): Quota {
  const clock = options.clock ?? systemClock;
  const limitsOption = options.limits;
  if (typeof limitsOption !== 'function') validateLimits(limitsOption);
  const failover = createStoreFailover<QuotaStore, { operation: QuotaStoreOperation }>({
    primary: options.store ?? createMemoryQuotaStore(),
    createFallback: createMemoryQuotaStore,
    onFailure: (error, { context, outageStarted }) => {
      if (options.onStoreError) {
        options.onStoreError(error, { operation: context.operation, outageStarted });
      } else if (outageStarted) {
        console.warn(
          `[fragmentkit] The quota store failed (${context.operation}); counting in memory until it answers again.`,
          error,
        );
      }
    },
  });

  async function activeLimits(subject: QuotaSubject): Promise<ActiveLimit[]> {
    const limits =
      typeof limitsOption === 'function' ? validateLimits((await limitsOption(subject)) ?? {}) : limitsOption;
    return scopesOf(subject).flatMap(({ scope, subjectId }) =>
      limitFields.flatMap((definition) => {
        const limit = limits[scope]?.[definition.field];
        if (limit === undefined) return [];
        return [{ scope, subjectId, definition, limit: limitInCounterUnits(limit, definition, scope) }];
      }),
    );
  }

  async function read(keys: string[], now: number): Promise<number[]> {
    if (keys.length === 0) return [];
    return (await failover.run({ operation: 'read' }, (store) => store.read(keys, now))).result;
  }

  async function decide(limits: ActiveLimit[], now: number, known: Map<string, number>): Promise<QuotaDecision> {
    const keys = limits.map((limit) => counterKey(limit.scope, limit.subjectId, limit.definition, now));
    const missing = keys.filter((key) => !known.has(key));
    const values = await read(missing, now);
    for (const [index, key] of missing.entries()) known.set(key, values[index] ?? 0);
    const states = limits.map((limit, index) => toState(limit, known.get(keys[index]!) ?? 0, now));
    const exceeded = states.filter((state) => state.exceeded);
    return {
      allowed: exceeded.length === 0,
      checkedAt: now,
      limits: states,
      exceeded,
      ...(exceeded.length > 0 ? { retryAt: Math.max(...exceeded.map((state) => state.resetAt)) } : {}),
    };
  }

  return {
    async check(subject) {
      const limits = await activeLimits(subject);
      return decide(limits, clock.now(), new Map());
    },
    async record(subject, consumption) {
      const amounts = consumptionInCounterUnits(consumption);
      const limits = await activeLimits(subject);
      const now = clock.now();
      const updates: QuotaCounterUpdate[] = scopesOf(subject).flatMap(({ scope, subjectId }) =>
        limitFields
          .filter((definition) => amounts[definition.metric] > 0)
          .map((definition) => ({
            key: counterKey(scope, subjectId, definition, now),
            amount: amounts[definition.metric],
            expiresAt: quotaPeriodWindow(definition.period, now).resetAt,
          })),
      );
      const known = new Map<string, number>();
      if (updates.length > 0) {
        const { result } = await failover.run({ operation: 'add' }, (store) => store.add(updates, now));
        for (const [index, update] of updates.entries()) known.set(update.key, result[index] ?? 0);
      }
      return decide(limits, now, known);
    },
  };
}

/**
 * The {@link QuotaConsumption} of a model call: every token of its {@link Usage} (input,
 * output, cache reads and writes) and its cost, when known.
 *
 * @example
 * ```ts
 * import { computeCost, toQuotaConsumption } from '@fragmentkit/core';
 *
 * await quota.record(subject, toQuotaConsumption(usage, computeCost(usage, { provider, modelId }, prices)));
 * ```
 */
export function toQuotaConsumption(usage: Usage, cost?: Cost): QuotaConsumption {
  const tokens =
    usage.inputTokens + usage.outputTokens + (usage.cachedInputTokens ?? 0) + (usage.cacheWriteTokens ?? 0);
  return cost === undefined ? { tokens } : { tokens, usd: cost.totalUsd };
}

function counterKey(scope: QuotaScope, subjectId: string, definition: LimitField, now: number): string {
  const window = quotaPeriodWindow(definition.period, now);
  return `${scope}:${encodeURIComponent(subjectId)}:${definition.period}:${window.id}:${definition.metric}`;
}

function toState(limit: ActiveLimit, used: number, now: number): QuotaLimitState {
  const toUnits = (value: number) => (limit.definition.metric === 'usd' ? value / microUsdPerUsd : value);
  return {
    scope: limit.scope,
    subjectId: limit.subjectId,
    period: limit.definition.period,
    metric: limit.definition.metric,
    limit: toUnits(limit.limit),
    used: toUnits(used),
    remaining: toUnits(Math.max(0, limit.limit - used)),
    resetAt: quotaPeriodWindow(limit.definition.period, now).resetAt,
    exceeded: used >= limit.limit,
  };
}
