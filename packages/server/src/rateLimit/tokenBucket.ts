import type { RateLimitRule } from './rateLimitPolicy.js';
import type { RateLimitConsumption, RateLimitRequest, RateLimitUsage } from './rateLimitStore.js';

/*
 * The token bucket for the memory store. The Redis script in redisRateLimitScripts.ts applies
 * the same arithmetic; keep the two in step (the store contract suite runs against both).
 *
 * The level counts in units of 1/windowMs token, so the bucket gains exactly `limit` units per
 * millisecond and every value stays a whole number: no rounding drift at boundaries.
 */

/** One key's bucket. A key without a bucket has a full one. */
export interface TokenBucket {
  level: number;
  updatedAt: number;
}

export function createFullBucket(rule: RateLimitRule, now: number): TokenBucket {
  return { level: capacityOf(rule), updatedAt: now };
}

export function consumeFromBucket(
  bucket: TokenBucket,
  rule: RateLimitRule,
  request: RateLimitRequest,
): RateLimitConsumption {
  refill(bucket, rule, request.now);
  const needed = request.cost * rule.windowMs;
  if (bucket.level < needed) {
    return {
      allowed: false,
      ...usageOf(bucket, rule),
      retryAfterMs: Math.ceil((needed - bucket.level) / rule.limit),
    };
  }
  bucket.level -= needed;
  return { allowed: true, ...usageOf(bucket, rule), retryAfterMs: 0 };
}

export function refundToBucket(bucket: TokenBucket, rule: RateLimitRule, request: RateLimitRequest): RateLimitUsage {
  refill(bucket, rule, request.now);
  bucket.level = Math.min(capacityOf(rule), bucket.level + request.cost * rule.windowMs);
  return usageOf(bucket, rule);
}

/** When the bucket is full again, and so no different from a missing one. */
export function bucketExpiresAt(bucket: TokenBucket, rule: RateLimitRule): number {
  return bucket.updatedAt + Math.ceil((capacityOf(rule) - bucket.level) / rule.limit);
}

function capacityOf(rule: RateLimitRule): number {
  return rule.limit * rule.windowMs;
}

function refill(bucket: TokenBucket, rule: RateLimitRule, now: number): void {
  // Time never runs backwards for a bucket, even when another host's clock is behind.
  const elapsed = Math.min(Math.max(0, now - bucket.updatedAt), rule.windowMs);
  bucket.level = Math.min(capacityOf(rule), bucket.level + elapsed * rule.limit);
  bucket.updatedAt = Math.max(bucket.updatedAt, now);
}

function usageOf(bucket: TokenBucket, rule: RateLimitRule): RateLimitUsage {
  return {
    remaining: Math.floor(bucket.level / rule.windowMs),
    resetMs: Math.ceil((capacityOf(rule) - bucket.level) / rule.limit),
  };
}
