import type { RateLimitRule } from './rateLimitPolicy.js';

/**
 * One request as a store sees it. The limiter passes its clock's time, so every store,
 * Redis included, counts with the same (possibly fake) time.
 *
 * @example
 * ```ts
 * import type { RateLimitRequest } from '@fragmentkit/server';
 * const request: RateLimitRequest = { id: crypto.randomUUID(), cost: 1, now: Date.now() };
 * ```
 */
export interface RateLimitRequest {
  /** Unique per request; lets `refund` take back exactly what `consume` recorded. */
  id: string;
  /** Units the request uses: a whole number from 1 to the rule's limit. */
  cost: number;
  /** Milliseconds since the Unix epoch. */
  now: number;
}

/**
 * Where a key stands after a store call.
 *
 * @example
 * ```ts
 * import type { RateLimitUsage } from '@fragmentkit/server';
 * const usage: RateLimitUsage = { remaining: 12, resetMs: 3_600_000 };
 * ```
 */
export interface RateLimitUsage {
  /** Whole units still available now. */
  remaining: number;
  /** Milliseconds until the full limit is available again; 0 when it is. */
  resetMs: number;
}

/**
 * The answer of {@link RateLimitStore.consume}.
 *
 * @example
 * ```ts
 * const consumption = await store.consume('daily:user:42', rule, request);
 * if (!consumption.allowed) console.log(`retry in ${consumption.retryAfterMs} ms`);
 * ```
 */
export interface RateLimitConsumption extends RateLimitUsage {
  allowed: boolean;
  /** When denied: milliseconds until the same cost fits. 0 when allowed. */
  retryAfterMs: number;
}

/**
 * Where rate limit counters live: {@link createMemoryRateLimitStore} for one process,
 * `createRedisRateLimitStore` (from `@fragmentkit/server/redis`) to share limits between instances. Each call is atomic
 * for its key. A custom store must pass the same contract suite.
 *
 * @example
 * ```ts
 * import { createRateLimiter, createMemoryRateLimitStore } from '@fragmentkit/server';
 * const limiter = createRateLimiter({ store: createMemoryRateLimitStore(), policies });
 * ```
 */
export interface RateLimitStore {
  /**
   * Records the request under `key` when its whole cost fits within the rule; otherwise
   * records nothing. Rejects only when the store itself fails.
   */
  consume(key: string, rule: RateLimitRule, request: RateLimitRequest): Promise<RateLimitConsumption>;
  /** Gives back what an allowed `consume` of the same request took. */
  refund(key: string, rule: RateLimitRule, request: RateLimitRequest): Promise<RateLimitUsage>;
}
