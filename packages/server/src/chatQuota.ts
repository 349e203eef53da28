import { FragmentkitError, type Usage } from '@fragmentkit/core';

/**
 * Who a chat is charged to.
 *
 * @example
 * ```ts
 * const subject: QuotaSubjectIds = { userId: auth.userId, teamId: auth.teamId };
 * ```
 */
export interface QuotaSubjectIds {
  userId: string;
  teamId: string;
}

/**
 * What a quota answers before a chat: whether the subject may spend more. Core's
 * `QuotaDecision` fits.
 *
 * @example
 * ```ts
 * const decision: ChatQuotaDecision = { allowed: false, retryAt: Date.UTC(2025, 6, 2) };
 * ```
 */
export interface ChatQuotaDecision {
  allowed: boolean;
  /** When a denied subject may spend again, in milliseconds since the Unix epoch. */
  retryAt?: number;
  /** When the decision was made; `retryAt` minus this is the wait. Default: now. */
  checkedAt?: number;
  /** The used-up limits, passed to the client in `details.exceeded`. */
  exceeded?: readonly unknown[];
}

/**
 * Usage limits the chat route consults: `check` before the model is called (a denied subject
 * gets `QUOTA_EXCEEDED`, 429) and `record` with what the call consumed once it ends. Core's
 * `createQuota` returns a matching object; anything with these two methods works, e.g. a
 * billing service.
 *
 * @example
 * ```ts
 * import { createQuota } from '@fragmentkit/core';
 * import { createFragmentkit } from '@fragmentkit/server';
 *
 * const quota = createQuota({ limits: { user: { dailyTokens: 200_000 }, team: { monthlyUsd: 50 } } });
 * const fragmentkit = createFragmentkit({ model, quota });
 * ```
 */
export interface ChatQuota {
  check(subject: QuotaSubjectIds): Promise<ChatQuotaDecision>;
  /** `usd` is left out when the call's cost is unknown (no `costOf`, or no price for the model). */
  record(subject: QuotaSubjectIds, consumption: { tokens: number; usd?: number }): Promise<unknown>;
}

/**
 * Prices one model call in USD, or `undefined` when the price is unknown.
 *
 * @example
 * ```ts
 * import { computeCost, createPriceTable } from '@fragmentkit/core';
 *
 * const prices = createPriceTable();
 * const costOf: CostFunction = (usage, model) => computeCost(usage, model, prices)?.totalUsd;
 * ```
 */
export type CostFunction = (usage: Usage, model: { provider: string; modelId: string }) => number | undefined;

/** Every token of a call, cache reads and writes included, as quotas count them. */
export function totalTokens(usage: Usage): number {
  return usage.inputTokens + usage.outputTokens + (usage.cachedInputTokens ?? 0) + (usage.cacheWriteTokens ?? 0);
}

/** The 429 of a denied quota; `details.retryAfterSeconds` also becomes a `Retry-After` header. */
export function quotaExceeded(decision: ChatQuotaDecision, now: number): FragmentkitError {
  const { retryAt } = decision;
  const when = retryAt === undefined ? '' : ` It resets at ${new Date(retryAt).toISOString()}.`;
  const retryAfterSeconds =
    retryAt === undefined ? undefined : Math.max(1, Math.ceil((retryAt - (decision.checkedAt ?? now)) / 1000));
  return new FragmentkitError(
    'QUOTA_EXCEEDED',
    `Your usage quota is used up.${when} Try again then, or ask for a higher limit.`,
    {
      details: {
        ...(retryAt === undefined ? {} : { retryAt, retryAfterSeconds }),
        ...(decision.exceeded ? { exceeded: decision.exceeded } : {}),
      },
    },
  );
}
