/**
 * One addition to a quota counter. See {@link QuotaStore.add}.
 *
 * @example
 * ```ts
 * const update: QuotaCounterUpdate = { key: 'user:alice:day:2026-06-01:tokens', amount: 1_250, expiresAt: Date.UTC(2026, 5, 2) };
 * ```
 */
export interface QuotaCounterUpdate {
  key: string;
  /** A whole number of at least 0: tokens, or micro-dollars (millionths of a USD). */
  amount: number;
  /** When the counter may be forgotten, in milliseconds since the Unix epoch: the end of its period. */
  expiresAt: number;
}

/**
 * Where quota counters live: whole-number counters by key, each forgotten after its period
 * ends. `createQuota` names the keys (one per subject, period and metric, with the period in
 * the key), so a store only adds and reads. Every method gets the quota's clock reading as
 * `now`, so expiry follows the same clock as the periods.
 *
 * @example
 * ```ts
 * import { createQuota, type QuotaStore } from '@fragmentkit/core';
 *
 * const store: QuotaStore = createRedisQuotaStore(redis); // from @fragmentkit/core/redis
 * const quota = createQuota({ store, limits: { user: { dailyTokens: 200_000 } } });
 * ```
 */
export interface QuotaStore {
  /** The current values of `keys`, in the same order; 0 for a counter that does not exist or has expired. */
  read(keys: readonly string[], now: number): Promise<number[]>;
  /**
   * Adds each update's amount to its counter (which starts at 0) and keeps the counter until
   * its `expiresAt`. Each addition is atomic, so concurrent adds from several hosts never
   * lose one. Answers the new values, in the order of `updates`.
   */
  add(updates: readonly QuotaCounterUpdate[], now: number): Promise<number[]>;
}
