import { FragmentkitError } from '@fragmentkit/core';
import type { RateLimitRule } from './rateLimitPolicy.js';
import type { RateLimitConsumption, RateLimitRequest, RateLimitStore, RateLimitUsage } from './rateLimitStore.js';
import { consumeFromLog, logExpiresAt, refundToLog, type SlidingWindowLog } from './slidingWindowLog.js';
import {
  bucketExpiresAt,
  consumeFromBucket,
  createFullBucket,
  refundToBucket,
  type TokenBucket,
} from './tokenBucket.js';

/**
 * Options of {@link createMemoryRateLimitStore}.
 *
 * @example
 * ```ts
 * import { createMemoryRateLimitStore, type MemoryRateLimitStoreOptions } from '@fragmentkit/server';
 * const options: MemoryRateLimitStoreOptions = { maxKeys: 50_000 };
 * const store = createMemoryRateLimitStore(options);
 * ```
 */
export interface MemoryRateLimitStoreOptions {
  /**
   * Most keys kept at once; beyond it the least recently used key is forgotten, which gives
   * that key a fresh limit. Default 100 000.
   */
  maxKeys?: number;
  /** How often, at most, a call also drops every expired key. Default one minute. */
  sweepIntervalMs?: number;
}

/**
 * A {@link RateLimitStore} held in memory by one process.
 *
 * @example
 * ```ts
 * const store = createMemoryRateLimitStore();
 * store.size; // keys currently held
 * ```
 */
export interface MemoryRateLimitStore extends RateLimitStore {
  /** Keys currently held, expired ones not swept yet included. */
  readonly size: number;
}

type Counter =
  | { algorithm: 'sliding-window'; log: SlidingWindowLog; expiresAt: number }
  | { algorithm: 'token-bucket'; bucket: TokenBucket; expiresAt: number };

const defaultMaxKeys = 100_000;
const defaultSweepIntervalMs = 60_000;

/**
 * Creates a {@link RateLimitStore} that keeps counters in this process: the default of
 * `createRateLimiter`, and its insurance while a shared store is down. Every key expires when
 * its window is over (a sliding window's newest request leaves it, a token bucket is full
 * again); expired keys are swept at most once per `sweepIntervalMs`, during calls, so no timer
 * keeps the process alive. `maxKeys` bounds memory even when many keys stay active (e.g. a
 * flood of addresses). Each key holds at most `limit` log entries for a sliding window and
 * two numbers for a token bucket.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when an option is not a positive whole number.
 *
 * @example
 * ```ts
 * import { createMemoryRateLimitStore, createRateLimiter, tieredDailyPolicies } from '@fragmentkit/server';
 *
 * const limiter = createRateLimiter({
 *   store: createMemoryRateLimitStore({ maxKeys: 10_000 }),
 *   policies: tieredDailyPolicies({ guest: 10, free: 50, pro: 200 }),
 * });
 * ```
 */
export function createMemoryRateLimitStore(options: MemoryRateLimitStoreOptions = {}): MemoryRateLimitStore {
  const maxKeys = positiveWholeNumber('maxKeys', options.maxKeys ?? defaultMaxKeys);
  const sweepIntervalMs = positiveWholeNumber('sweepIntervalMs', options.sweepIntervalMs ?? defaultSweepIntervalMs);
  // A Map iterates in insertion order; re-inserting on every use keeps the least recently used first.
  const counters = new Map<string, Counter>();
  let nextSweepAt = Number.NEGATIVE_INFINITY;

  function sweep(now: number): void {
    if (now < nextSweepAt) return;
    nextSweepAt = now + sweepIntervalMs;
    for (const [key, counter] of counters) {
      if (counter.expiresAt <= now) counters.delete(key);
    }
  }

  /** The key's live counter, taken out of the map; `keep` puts it back at the most recently used end. */
  function take(key: string, rule: RateLimitRule, now: number): Counter {
    sweep(now);
    const existing = counters.get(key);
    counters.delete(key);
    if (existing && existing.expiresAt > now) return existing;
    return rule.algorithm === 'sliding-window'
      ? { algorithm: 'sliding-window', log: { entries: [] }, expiresAt: now }
      : { algorithm: 'token-bucket', bucket: createFullBucket(rule, now), expiresAt: now };
  }

  function keep(key: string, counter: Counter, rule: RateLimitRule, now: number): void {
    counter.expiresAt =
      counter.algorithm === 'sliding-window' ? logExpiresAt(counter.log, rule) : bucketExpiresAt(counter.bucket, rule);
    if (counter.expiresAt <= now) return;
    counters.set(key, counter);
    for (const oldest of counters.keys()) {
      if (counters.size <= maxKeys) break;
      counters.delete(oldest);
    }
  }

  return {
    get size() {
      return counters.size;
    },
    async consume(key: string, rule: RateLimitRule, request: RateLimitRequest): Promise<RateLimitConsumption> {
      const counterKey = `${rule.algorithm}:${key}`;
      const counter = take(counterKey, rule, request.now);
      const consumption =
        counter.algorithm === 'sliding-window'
          ? consumeFromLog(counter.log, rule, request)
          : consumeFromBucket(counter.bucket, rule, request);
      keep(counterKey, counter, rule, request.now);
      return consumption;
    },
    async refund(key: string, rule: RateLimitRule, request: RateLimitRequest): Promise<RateLimitUsage> {
      const counterKey = `${rule.algorithm}:${key}`;
      const counter = take(counterKey, rule, request.now);
      const usage =
        counter.algorithm === 'sliding-window'
          ? refundToLog(counter.log, rule, request)
          : refundToBucket(counter.bucket, rule, request);
      keep(counterKey, counter, rule, request.now);
      return usage;
    },
  };
}

function positiveWholeNumber(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `Memory rate limit store option ${option} must be a whole number of at least 1; got ${value}.`,
      { details: { option, value } },
    );
  }
  return value;
}
