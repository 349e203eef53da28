import type { QuotaPeriod } from './quotaPeriod.js';

/**
 * Limits of one user or one team. Each is optional; a limit that is left out does not apply.
 * Token limits count every token of a call (input, output, cache reads and writes); USD limits
 * count cost to the micro-dollar.
 *
 * @example
 * ```ts
 * import type { QuotaLimits } from '@fragmentkit/core';
 * const freePlan: QuotaLimits = { dailyTokens: 200_000, monthlyUsd: 5 };
 * ```
 */
export interface QuotaLimits {
  dailyTokens?: number;
  monthlyTokens?: number;
  dailyUsd?: number;
  monthlyUsd?: number;
}

/**
 * The limits that apply to each user and to each team (every team gets the same limits, shared
 * by its members). See {@link createQuota}.
 *
 * @example
 * ```ts
 * import type { QuotaLimitsByScope } from '@fragmentkit/core';
 * const limits: QuotaLimitsByScope = { user: { dailyUsd: 2 }, team: { monthlyUsd: 200 } };
 * ```
 */
export interface QuotaLimitsByScope {
  user?: QuotaLimits;
  team?: QuotaLimits;
}

/**
 * Who a call is charged to: a user, a team, or both (then both sets of limits apply).
 *
 * @example
 * ```ts
 * import type { QuotaSubject } from '@fragmentkit/core';
 * const subject: QuotaSubject = { userId: session.userId, teamId: session.teamId };
 * ```
 */
export interface QuotaSubject {
  userId?: string;
  teamId?: string;
}

/**
 * What one call consumed, for {@link Quota.record}. See {@link toQuotaConsumption}.
 *
 * @example
 * ```ts
 * import type { QuotaConsumption } from '@fragmentkit/core';
 * const consumption: QuotaConsumption = { tokens: 3_400, usd: 0.0213 };
 * ```
 */
export interface QuotaConsumption {
  /** A whole number of at least 0. */
  tokens: number;
  /**
   * USD spent, counted to the micro-dollar (rounded to the nearest). Leave it out when the cost
   * is unknown (a model without a price): token limits still count the call, USD limits do not.
   */
  usd?: number;
}

/**
 * Where one limit of a subject stands.
 *
 * @example
 * ```ts
 * const state: QuotaLimitState = decision.limits[0]!;
 * console.log(`${state.scope} ${state.period} ${state.metric}: ${state.used} of ${state.limit}`);
 * ```
 */
export interface QuotaLimitState {
  scope: 'user' | 'team';
  /** The user or team id. */
  subjectId: string;
  period: QuotaPeriod;
  metric: 'tokens' | 'usd';
  /** The limit, in tokens or USD. */
  limit: number;
  /** Consumed so far in the current period, in tokens or USD. */
  used: number;
  /** `limit - used`, never below 0. */
  remaining: number;
  /** When the current period ends and `used` starts again from 0, in milliseconds since the Unix epoch. */
  resetAt: number;
  /** True when `used >= limit`: reaching a limit exactly already uses it up. */
  exceeded: boolean;
}

/**
 * The answer of {@link Quota.check} (and of {@link Quota.record}, after the recording).
 *
 * @example
 * ```ts
 * const decision = await quota.check({ userId, teamId });
 * if (!decision.allowed) throw quotaExceededError(decision);
 * ```
 */
export interface QuotaDecision {
  /** False when any limit is used up. */
  allowed: boolean;
  /** The clock reading the decision was made at. */
  checkedAt: number;
  /** Every limit that applies to the subject, user limits first. Empty when none applies. */
  limits: QuotaLimitState[];
  /** The limits that are used up. */
  exceeded: QuotaLimitState[];
  /** When denied: when every used-up limit has reset, so a call can be allowed again. */
  retryAt?: number;
}
