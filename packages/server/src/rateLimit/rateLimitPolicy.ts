import { FragmentkitError } from '@fragmentkit/core';

/**
 * How a policy counts:
 * - `sliding-window`: at most `limit` units in any `windowMs` ending now. Exact, unlike the
 *   two-counter approximation (which can admit up to twice the limit when traffic bunches at
 *   a window edge): it keeps a log of the window's admitted requests (at most `limit` entries
 *   per key) and a unit comes back exactly `windowMs` after it was spent. Each check reads the
 *   key's log, so it suits limits up to a few thousand per window (daily quotas, per-minute
 *   limits); use a token bucket for larger ones.
 * - `token-bucket`: a bucket of `limit` tokens that refills continuously at `limit` tokens
 *   per `windowMs`; allows bursts up to `limit`, then a steady rate. Constant memory per key.
 *
 * @example
 * ```ts
 * import type { RateLimitAlgorithm } from '@fragmentkit/server';
 * const algorithm: RateLimitAlgorithm = 'token-bucket';
 * ```
 */
export type RateLimitAlgorithm = 'sliding-window' | 'token-bucket';

/**
 * Who a request comes from, as far as rate limits care. The host fills it in after
 * authentication; every field is optional.
 *
 * @example
 * ```ts
 * import type { RateLimitSubject } from '@fragmentkit/server';
 * const subject: RateLimitSubject = { ip: '203.0.113.7', userId: 'user_42', teamId: 'team_7', plan: 'pro' };
 * ```
 */
export interface RateLimitSubject {
  /** Client address; take it from a proxy header only when a trusted proxy sets it. */
  ip?: string;
  userId?: string;
  teamId?: string;
  /** The plan tier that decides the limits, e.g. `free` or `pro`. */
  plan?: string;
  /** The route or feature, for policies that limit one route on its own. */
  route?: string;
}

/**
 * One limit: `limit` units per `windowMs` for every key that `key` derives from a subject.
 * For a token bucket, `windowMs` is the time in which an empty bucket refills to `limit`.
 *
 * @example
 * ```ts
 * import type { RateLimitPolicy } from '@fragmentkit/server';
 *
 * const burst: RateLimitPolicy = {
 *   name: 'burst',
 *   algorithm: 'token-bucket',
 *   limit: 5,
 *   windowMs: 60_000,
 *   key: (subject) => (subject.userId ? `user:${subject.userId}` : subject.ip ? `ip:${subject.ip}` : null),
 * };
 * ```
 */
export interface RateLimitPolicy {
  /**
   * Unique among a limiter's policies; names the policy in the `RateLimit` headers and in the
   * stored keys. Printable ASCII.
   */
  name: string;
  algorithm: RateLimitAlgorithm;
  /**
   * Units per window: a positive whole number, or one computed from the subject (e.g. by
   * plan). A subject whose limit changes keeps what it already used under the same key.
   */
  limit: number | ((subject: RateLimitSubject) => number);
  /** Window length (sliding window) or full refill time (token bucket), in milliseconds. */
  windowMs: number;
  /** The counter a subject uses, e.g. `user:42`; `null` when the policy does not apply to it. */
  key: (subject: RateLimitSubject) => string | null;
}

/**
 * What a {@link RateLimitStore} needs to know about a policy to count one key: the policy's
 * algorithm and window, and the limit that applies to the subject.
 *
 * @example
 * ```ts
 * import type { RateLimitRule } from '@fragmentkit/server';
 * const rule: RateLimitRule = { algorithm: 'sliding-window', limit: 50, windowMs: 86_400_000 };
 * await store.consume('daily:user:42', rule, { id: crypto.randomUUID(), cost: 1, now: Date.now() });
 * ```
 */
export interface RateLimitRule {
  algorithm: RateLimitAlgorithm;
  limit: number;
  windowMs: number;
}

const printableAscii = /^[\x20-\x7e]+$/;

/** Rejects policies a limiter cannot enforce, before the first request meets them. */
export function validatePolicies(policies: readonly RateLimitPolicy[]): void {
  const names = new Set<string>();
  for (const policy of policies) {
    if (typeof policy.name !== 'string' || !printableAscii.test(policy.name)) {
      throw invalidPolicy(policy.name, 'name', policy.name, 'a non-empty string of printable ASCII characters');
    }
    if (names.has(policy.name)) {
      throw invalidPolicy(policy.name, 'name', policy.name, 'unique among the policies of one limiter');
    }
    names.add(policy.name);
    if (policy.algorithm !== 'sliding-window' && policy.algorithm !== 'token-bucket') {
      throw invalidPolicy(policy.name, 'algorithm', policy.algorithm, "'sliding-window' or 'token-bucket'");
    }
    if (!isPositiveWholeNumber(policy.windowMs)) {
      throw invalidPolicy(policy.name, 'windowMs', policy.windowMs, 'a whole number of milliseconds of at least 1');
    }
    if (typeof policy.limit !== 'function') checkLimit(policy, policy.limit);
    if (typeof policy.key !== 'function') {
      throw invalidPolicy(policy.name, 'key', policy.key, 'a function from the subject to a key or null');
    }
  }
}

/** The policy's limit for one subject, checked like a fixed limit. */
export function resolveLimit(policy: RateLimitPolicy, subject: RateLimitSubject): number {
  const limit = typeof policy.limit === 'function' ? policy.limit(subject) : policy.limit;
  checkLimit(policy, limit);
  return limit;
}

function checkLimit(policy: RateLimitPolicy, limit: unknown): asserts limit is number {
  // The token bucket counts in units of 1/windowMs token, so limit × windowMs must stay exact.
  if (!isPositiveWholeNumber(limit) || limit * policy.windowMs > Number.MAX_SAFE_INTEGER) {
    throw invalidPolicy(
      policy.name,
      'limit',
      limit,
      `a whole number of at least 1 whose product with windowMs (${policy.windowMs}) stays below 2^53`,
    );
  }
}

function isPositiveWholeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function invalidPolicy(name: unknown, field: string, value: unknown, expected: string): FragmentkitError {
  return new FragmentkitError(
    'INVALID_REQUEST',
    `Rate limit policy ${JSON.stringify(name)} has an invalid ${field}: expected ${expected}, got ${String(value)}.`,
    { details: { policy: typeof name === 'string' ? name : String(name), field, value: String(value) } },
  );
}
