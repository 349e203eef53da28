import { describe, expect, it } from 'vitest';
import { describeQuotaStoreContract } from './quotaStoreContract.js';
import { createMemoryQuotaStore } from './quotaStoreMemory.js';

describeQuotaStoreContract('memory', () => createMemoryQuotaStore());

describe('createMemoryQuotaStore', () => {
  const start = Date.UTC(2026, 5, 15, 23, 59);
  const endOfDay = Date.UTC(2026, 5, 16);

  it('forgets a counter at its expiry and starts it again from 0', async () => {
    const store = createMemoryQuotaStore();
    const key = 'user:a:day:2026-06-15:tokens';
    await store.add([{ key, amount: 100, expiresAt: endOfDay }], start);
    expect(await store.read([key], endOfDay - 1)).toEqual([100]);
    expect(await store.read([key], endOfDay)).toEqual([0]);
    expect(await store.add([{ key, amount: 1, expiresAt: endOfDay + 86_400_000 }], endOfDay)).toEqual([1]);
  });
});
