import { errorCodeStatus, FragmentkitError } from '@fragmentkit/core';
import type { RateLimitDecision, RateLimitPolicyResult } from './rateLimiter.js';

/**
 * The rate limit response fields of a decision, in the structured-field syntax of
 * draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy` lists each applicable policy with
 * its quota `q` and window `w` (seconds), `RateLimit` its remaining units `r` and the seconds
 * `t` until the full quota is back. A denied decision adds `Retry-After` in seconds. Seconds
 * are rounded up, so a client that waits them is never early. Empty when no policy applied.
 *
 * @example
 * ```ts
 * import { rateLimitHeaders } from '@fragmentkit/server';
 *
 * rateLimitHeaders(decision);
 * // {
 * //   'RateLimit-Policy': '"daily";q=50;w=86400',
 * //   'RateLimit': '"daily";r=12;t=3600',
 * // }
 * ```
 */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  if (decision.policies.length === 0) return {};
  const headers: Record<string, string> = {
    'RateLimit-Policy': decision.policies
      .map((policy) => `${structuredString(policy.name)};q=${policy.limit};w=${seconds(policy.windowMs)}`)
      .join(', '),
    RateLimit: decision.policies
      .map((policy) => `${structuredString(policy.name)};r=${policy.remaining};t=${seconds(policy.resetMs)}`)
      .join(', '),
  };
  if (!decision.allowed) headers['Retry-After'] = String(retryAfterSeconds(decision));
  return headers;
}

/**
 * The `RATE_LIMITED` error of a denied decision. Its message and details name the policy
 * that keeps the request out longest.
 *
 * @throws FragmentkitError `INTERNAL` when the decision allowed the request.
 *
 * @example
 * ```ts
 * import { rateLimitError } from '@fragmentkit/server';
 *
 * const error = rateLimitError(decision);
 * error.message; // 'Rate limit "daily" reached: 50 requests per day. Retry after 3600 s.'
 * error.details; // { policy: 'daily', limit: 50, retryAfterSeconds: 3600 }
 * ```
 */
export function rateLimitError(decision: RateLimitDecision): FragmentkitError {
  const policy = bindingPolicy(decision);
  if (decision.allowed || !policy) {
    throw new FragmentkitError('INTERNAL', 'rateLimitError needs a decision that denied the request.');
  }
  const wait = retryAfterSeconds(decision);
  return new FragmentkitError(
    'RATE_LIMITED',
    `Rate limit "${policy.name}" reached: ${policy.limit} ${policy.limit === 1 ? 'request' : 'requests'} per ${describeWindow(policy.windowMs)}. Retry after ${wait} s.`,
    { isRetryable: true, details: { policy: policy.name, limit: policy.limit, retryAfterSeconds: wait } },
  );
}

/**
 * The 429 response for a denied decision: the JSON error body
 * `{ "error": { "code": "RATE_LIMITED", "message", "details": { policy, limit, retryAfterSeconds } } }`
 * with the headers of {@link rateLimitHeaders}.
 *
 * @throws FragmentkitError `INTERNAL` when the decision allowed the request.
 *
 * @example
 * ```ts
 * import { rateLimitedResponse } from '@fragmentkit/server';
 *
 * const decision = await limiter.check({ ip: clientIp });
 * if (!decision.allowed) return rateLimitedResponse(decision);
 * ```
 */
export function rateLimitedResponse(decision: RateLimitDecision): Response {
  const error = rateLimitError(decision);
  return Response.json(
    { error: error.toJSON() },
    { status: errorCodeStatus.RATE_LIMITED, headers: rateLimitHeaders(decision) },
  );
}

function retryAfterSeconds(decision: RateLimitDecision): number {
  return Math.max(1, seconds(decision.retryAfterMs ?? 0));
}

/** The denying policy with the longest wait: the one the client actually waits for. */
function bindingPolicy(decision: RateLimitDecision): RateLimitPolicyResult | undefined {
  let binding: RateLimitPolicyResult | undefined;
  for (const policy of decision.policies) {
    if (policy.allowed) continue;
    if (!binding || (policy.retryAfterMs ?? 0) > (binding.retryAfterMs ?? 0)) binding = policy;
  }
  return binding;
}

function seconds(milliseconds: number): number {
  return Math.ceil(milliseconds / 1_000);
}

/** An sf-string (RFC 9651): quoted, with backslash and double quote escaped. */
function structuredString(value: string): string {
  return `"${value.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}

const units = [
  { name: 'day', milliseconds: 86_400_000 },
  { name: 'hour', milliseconds: 3_600_000 },
  { name: 'minute', milliseconds: 60_000 },
  { name: 'second', milliseconds: 1_000 },
] as const;

function describeWindow(windowMs: number): string {
  for (const unit of units) {
    if (windowMs % unit.milliseconds !== 0) continue;
    const count = windowMs / unit.milliseconds;
    return count === 1 ? unit.name : `${count} ${unit.name}s`;
  }
  return `${windowMs} ms`;
}
