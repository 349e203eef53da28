import { FragmentkitError } from '@fragmentkit/core';
import type { RateLimitAlgorithm, RateLimitPolicy, RateLimitSubject } from './rateLimitPolicy.js';

/**
 * Daily limits by plan, e.g. `{ guest: 10, free: 50, pro: 200 }`. `guest` is the limit of a
 * subject without `userId`, counted per IP address; every other entry is a plan's limit.
 * `null` means no limit for that plan.
 *
 * @example
 * ```ts
 * import type { DailyLimits } from '@fragmentkit/server';
 * const perUser: DailyLimits = { guest: 10, free: 50, pro: 200, enterprise: null };
 * ```
 */
export type DailyLimits = Record<string, number | null>;

/**
 * Options of {@link tieredDailyPolicies}.
 *
 * @example
 * ```ts
 * import { tieredDailyPolicies, type TieredDailyPoliciesOptions } from '@fragmentkit/server';
 *
 * const options: TieredDailyPoliciesOptions = { perTeam: { free: 200, pro: 2_000 }, defaultPlan: 'free' };
 * const policies = tieredDailyPolicies({ guest: 10, free: 50, pro: 200 }, options);
 * ```
 */
export interface TieredDailyPoliciesOptions {
  /** Daily limits of a whole team (a subject's `teamId`) by plan. Without it no team limit applies. */
  perTeam?: DailyLimits;
  /** The plan of a subject whose `plan` is missing or unknown. Default `free`. */
  defaultPlan?: string;
  /** Default `sliding-window`: exactly the limit in any 24 hours. */
  algorithm?: RateLimitAlgorithm;
  /** Name of the guest and per-user policy. Default `daily`. */
  name?: string;
  /** Name of the per-team policy. Default `daily-team`. */
  teamName?: string;
}

const day = 86_400_000;

/**
 * Builds daily limits by plan tier in one line: a `daily` policy that counts a guest (no
 * `userId`) per IP address and a signed-in user per user id, with the limit of the subject's
 * plan, and, with `perTeam`, a `daily-team` policy that counts a whole team. A user who
 * changes plan keeps what was already used today. A guest without `ip`, or a plan whose limit
 * is `null`, is not limited by these policies.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when a limit is not a positive whole number or
 * null, or when there are plan limits but none for `defaultPlan`.
 *
 * @example
 * ```ts
 * import { createRateLimiter, tieredDailyPolicies } from '@fragmentkit/server';
 *
 * const limiter = createRateLimiter({ policies: tieredDailyPolicies({ guest: 10, free: 50, pro: 200 }) });
 * await limiter.check({ ip: '203.0.113.7' }); // guest: 10 a day for this address
 * await limiter.check({ userId: 'user_42', plan: 'pro' }); // 200 a day for this user
 * ```
 */
export function tieredDailyPolicies(perUser: DailyLimits, options: TieredDailyPoliciesOptions = {}): RateLimitPolicy[] {
  const defaultPlan = options.defaultPlan ?? 'free';
  const algorithm = options.algorithm ?? 'sliding-window';
  const { guest = null, ...plans } = perUser;
  checkLimits('perUser', perUser, defaultPlan);
  const userLimit = (subject: RateLimitSubject) => limitOfPlan(plans, subject.plan, defaultPlan);

  const policies: RateLimitPolicy[] = [
    {
      name: options.name ?? 'daily',
      algorithm,
      windowMs: day,
      limit: (subject) => (subject.userId === undefined ? guest : userLimit(subject)) ?? 0,
      key: (subject) => {
        if (subject.userId !== undefined) return userLimit(subject) === null ? null : `user:${subject.userId}`;
        return guest === null || subject.ip === undefined ? null : `ip:${subject.ip}`;
      },
    },
  ];
  const perTeam = options.perTeam;
  if (perTeam) {
    checkLimits('perTeam', perTeam, defaultPlan);
    const teamLimit = (subject: RateLimitSubject) => limitOfPlan(perTeam, subject.plan, defaultPlan);
    policies.push({
      name: options.teamName ?? 'daily-team',
      algorithm,
      windowMs: day,
      limit: (subject) => teamLimit(subject) ?? 0,
      key: (subject) => (subject.teamId === undefined || teamLimit(subject) === null ? null : `team:${subject.teamId}`),
    });
  }
  return policies;
}

function limitOfPlan(limits: DailyLimits, plan: string | undefined, defaultPlan: string): number | null {
  const known = plan !== undefined && plan !== 'guest' && Object.hasOwn(limits, plan);
  return limits[known ? plan : defaultPlan] ?? null;
}

function checkLimits(option: string, limits: DailyLimits, defaultPlan: string): void {
  for (const [plan, limit] of Object.entries(limits)) {
    if (limit === null || (Number.isSafeInteger(limit) && limit >= 1)) continue;
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `The daily limit of plan "${plan}" in ${option} must be a whole number of at least 1 or null; got ${limit}.`,
      { details: { option, plan, limit } },
    );
  }
  const plans = Object.keys(limits).filter((plan) => plan !== 'guest');
  if (plans.length > 0 && !Object.hasOwn(limits, defaultPlan)) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `${option} has no limit for the default plan "${defaultPlan}", which subjects without a known plan get; add one or set defaultPlan.`,
      { details: { option, defaultPlan, plans } },
    );
  }
}
