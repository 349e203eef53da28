import type { QuotaStore } from './quotaStore.js';

interface Counter {
  value: number;
  expiresAt: number;
}

/** Expired counters are swept at most this often, so a busy store does not scan on every add. */
const sweepIntervalMs = 60_000;

/**
 * A {@link QuotaStore} in this process's memory: the default of `createQuota`, and the
 * insurance a Redis-backed quota falls back to while Redis is down. Counters of ended periods
 * are dropped as time passes, so memory stays proportional to the subjects active in the
 * current day and month.
 *
 * @example
 * ```ts
 * import { createMemoryQuotaStore, createQuota } from '@fragmentkit/core';
 *
 * const quota = createQuota({ store: createMemoryQuotaStore(), limits: { team: { monthlyUsd: 100 } } });
 * ```
 */
export function createMemoryQuotaStore(): QuotaStore {
  const counters = new Map<string, Counter>();
  let lastSweep = Number.NEGATIVE_INFINITY;

  function sweep(now: number): void {
    if (now - lastSweep < sweepIntervalMs) return;
    lastSweep = now;
    for (const [key, counter] of counters) {
      if (counter.expiresAt <= now) counters.delete(key);
    }
  }

  function currentValue(key: string, now: number): number {
    const counter = counters.get(key);
    return counter !== undefined && counter.expiresAt > now ? counter.value : 0;
  }

  return {
    async read(keys, now) {
      return keys.map((key) => currentValue(key, now));
    },
    async add(updates, now) {
      sweep(now);
      return updates.map(({ key, amount, expiresAt }) => {
        const value = currentValue(key, now) + amount;
        counters.set(key, { value, expiresAt });
        return value;
      });
    },
  };
}
