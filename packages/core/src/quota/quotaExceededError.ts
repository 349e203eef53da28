import { FragmentkitError } from '../errors.js';
import type { QuotaDecision, QuotaLimitState } from './types.js';

/**
 * The error to refuse a call with when {@link QuotaDecision.allowed} is false:
 * `QUOTA_EXCEEDED` (HTTP 429), with a message that names the used-up limit and when it resets,
 * and `details` a program can act on: `retryAt`, `retryAfterMs` (for a `Retry-After` header)
 * and the used-up limits.
 *
 * It is not retryable: repeating the call succeeds only after `retryAt`, so retry loops must
 * not spin on it. It is not a provider failure either, so circuit breakers ignore it.
 *
 * @throws FragmentkitError `INTERNAL` when `decision` allows the call (a bug in the caller).
 *
 * @example
 * ```ts
 * import { quotaExceededError } from '@fragmentkit/core';
 *
 * const decision = await quota.check(subject);
 * if (!decision.allowed) throw quotaExceededError(decision);
 * // error.message: "The user's daily limit of 200000 tokens is used up (200450 used); it resets at
 * // 2026-06-02T00:00:00.000Z. Try again then, or ask for a higher limit."
 * ```
 */
export function quotaExceededError(decision: QuotaDecision): FragmentkitError {
  const binding = decision.exceeded.reduce<QuotaLimitState | undefined>(
    (latest, state) => (latest === undefined || state.resetAt > latest.resetAt ? state : latest),
    undefined,
  );
  if (!binding || decision.retryAt === undefined) {
    throw new FragmentkitError('INTERNAL', 'quotaExceededError needs a decision that denies the call.', {
      details: { allowed: decision.allowed },
    });
  }
  const others = decision.exceeded.length - 1;
  const message =
    `The ${binding.scope}'s ${describeLimit(binding)} is used up (${describeUsed(binding)}); ` +
    `it resets at ${new Date(binding.resetAt).toISOString()}.` +
    (others > 0 ? ` ${others} other limit${others === 1 ? ' is' : 's are'} used up too.` : '') +
    ' Try again then, or ask for a higher limit.';
  return new FragmentkitError('QUOTA_EXCEEDED', message, {
    details: {
      retryAt: decision.retryAt,
      retryAfterMs: Math.max(0, decision.retryAt - decision.checkedAt),
      exceeded: decision.exceeded.map((state) => ({ ...state })),
    },
  });
}

function describeLimit(state: QuotaLimitState): string {
  const period = state.period === 'day' ? 'daily' : 'monthly';
  return state.metric === 'tokens'
    ? `${period} limit of ${state.limit} tokens`
    : `${period} spending limit of ${formatUsd(state.limit)}`;
}

function describeUsed(state: QuotaLimitState): string {
  return state.metric === 'tokens' ? `${state.used} used` : `${formatUsd(state.used)} spent`;
}

function formatUsd(amount: number): string {
  return `$${Number(amount.toFixed(6))}`;
}
