import { beforeEach, describe, expect, it } from 'vitest';
import type { QuotaStore } from './quotaStore.js';

/*
 * The behaviour every QuotaStore must show, as one suite that each store's test file runs.
 * Test support only: nothing in the package imports this file.
 */

const now = Date.UTC(2026, 5, 15, 12);
const endOfDay = Date.UTC(2026, 5, 16);
const endOfMonth = Date.UTC(2026, 6, 1);

/**
 * Runs the shared {@link QuotaStore} contract against stores made by `makeStore` (called
 * before each test; give each store fresh state, e.g. a unique Redis key prefix).
 *
 * @example
 * ```ts
 * import { describeQuotaStoreContract } from './quotaStoreContract.js';
 * import { createMemoryQuotaStore } from './quotaStoreMemory.js';
 *
 * describeQuotaStoreContract('memory', () => createMemoryQuotaStore());
 * ```
 */
export function describeQuotaStoreContract(name: string, makeStore: () => QuotaStore | Promise<QuotaStore>): void {
  describe(`QuotaStore contract: ${name}`, () => {
    let store: QuotaStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('reads 0 for counters that were never added to, in the order asked', async () => {
      expect(await store.read(['user:a:day:2026-06-15:tokens', 'team:t:month:2026-06:usd'], now)).toEqual([0, 0]);
      expect(await store.read([], now)).toEqual([]);
    });

    it('adds to counters, answering the new values in the order of the updates', async () => {
      expect(
        await store.add(
          [
            { key: 'user:a:day:2026-06-15:tokens', amount: 1_200, expiresAt: endOfDay },
            { key: 'user:a:month:2026-06:tokens', amount: 1_200, expiresAt: endOfMonth },
          ],
          now,
        ),
      ).toEqual([1_200, 1_200]);
      expect(
        await store.add(
          [
            { key: 'user:a:month:2026-06:tokens', amount: 300, expiresAt: endOfMonth },
            { key: 'user:a:day:2026-06-15:tokens', amount: 50, expiresAt: endOfDay },
          ],
          now,
        ),
      ).toEqual([1_500, 1_250]);
      expect(
        await store.read(
          ['user:a:day:2026-06-15:tokens', 'user:a:month:2026-06:tokens', 'user:b:day:2026-06-15:tokens'],
          now,
        ),
      ).toEqual([1_250, 1_500, 0]);
    });

    it('applies two updates of the same counter in one call one after the other', async () => {
      const key = 'team:t:day:2026-06-15:usd';
      expect(
        await store.add(
          [
            { key, amount: 10, expiresAt: endOfDay },
            { key, amount: 5, expiresAt: endOfDay },
          ],
          now,
        ),
      ).toEqual([10, 15]);
    });

    it('loses no addition when many run at the same time', async () => {
      const key = 'team:busy:month:2026-06:tokens';
      await Promise.all(Array.from({ length: 40 }, () => store.add([{ key, amount: 25, expiresAt: endOfMonth }], now)));
      expect(await store.read([key], now)).toEqual([1_000]);
    });

    it('keeps large micro-dollar totals exact', async () => {
      const key = 'team:big:month:2026-06:usd';
      await store.add([{ key, amount: 4_000_000_000_123, expiresAt: endOfMonth }], now);
      expect(await store.add([{ key, amount: 1, expiresAt: endOfMonth }], now)).toEqual([4_000_000_000_124]);
    });

    it('accepts an empty list of updates', async () => {
      expect(await store.add([], now)).toEqual([]);
    });
  });
}
