import { randomUUID } from 'node:crypto';
import { describeWithRedis } from '@fragmentkit/test-services/redis';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createQuota } from '../quota/quota.js';
import { describeQuotaStoreContract } from '../quota/quotaStoreContract.js';
import { createRedisQuotaStore } from './quotaStore.js';

describeWithRedis('createRedisQuotaStore against real Redis', ({ redis, prefix: trackedPrefix, connect }) => {
  describeQuotaStoreContract('redis', () => createRedisQuotaStore(redis, { keyPrefix: trackedPrefix() }));

  it('keeps each counter as an integer key under the prefix that expires when its period ends', async () => {
    const prefix = trackedPrefix();
    const store = createRedisQuotaStore(redis, { keyPrefix: prefix });
    const now = Date.UTC(2026, 5, 15, 23, 0);
    await store.add([{ key: 'user:a:day:2026-06-15:usd', amount: 12_346, expiresAt: Date.UTC(2026, 5, 16) }], now);
    expect(await redis.get(`${prefix}user:a:day:2026-06-15:usd`)).toBe('12346');
    const ttl = await redis.pttl(`${prefix}user:a:day:2026-06-15:usd`);
    expect(ttl).toBeGreaterThan(3_600_000 - 5_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it('lets two hosts count against one limit', async () => {
    const other = await connect();
    const prefix = trackedPrefix();
    const clock = { now: () => Date.UTC(2026, 5, 15, 12) };
    const limits = { team: { dailyTokens: 1_000 } };
    const hostA = createQuota({ store: createRedisQuotaStore(redis, { keyPrefix: prefix }), limits, clock });
    const hostB = createQuota({ store: createRedisQuotaStore(other, { keyPrefix: prefix }), limits, clock });

    await Promise.all([
      hostA.record({ teamId: 'acme', userId: 'alice' }, { tokens: 600 }),
      hostB.record({ teamId: 'acme', userId: 'bob' }, { tokens: 400 }),
    ]);
    expect(await hostA.check({ teamId: 'acme' })).toMatchObject({
      allowed: false,
      exceeded: [{ scope: 'team', used: 1_000 }],
    });
    expect((await hostB.check({ teamId: 'acme' })).allowed).toBe(false);
  });

  it('fails a read of a key that is not a counter, so the quota falls back instead of trusting it', async () => {
    const prefix = trackedPrefix();
    await redis.set(`${prefix}user:u:day:2026-06-15:tokens`, 'garbage');
    const store = createRedisQuotaStore(redis, { keyPrefix: prefix });
    await expect(store.read(['user:u:day:2026-06-15:tokens'], Date.UTC(2026, 5, 15))).rejects.toMatchObject({
      code: 'INTERNAL',
    });
  });
});

describe('a quota whose Redis is down', () => {
  it('counts in memory and reports the store errors, never failing the request', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    down.on('error', () => {});
    try {
      const failures: { operation: string; outageStarted: boolean; error: unknown }[] = [];
      const quota = createQuota({
        store: createRedisQuotaStore(down, { keyPrefix: `fk-test:${randomUUID()}:` }),
        limits: { user: { dailyTokens: 100 } },
        clock: { now: () => Date.UTC(2026, 5, 15, 12) },
        onStoreError: (error, context) => failures.push({ ...context, error }),
      });
      expect((await quota.check({ userId: 'u' })).allowed).toBe(true);
      expect(await quota.record({ userId: 'u' }, { tokens: 100 })).toMatchObject({
        allowed: false,
        limits: [{ used: 100 }],
      });
      expect((await quota.check({ userId: 'u' })).allowed).toBe(false);
      expect(failures.map(({ operation, outageStarted }) => `${operation} ${outageStarted}`)).toEqual([
        'read true',
        'add false',
        'read false',
      ]);
      expect(failures[0]!.error).toBeInstanceOf(Error);
    } finally {
      down.disconnect();
    }
  });
});
