import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createQuota } from '../quota/quota.js';
import { describeQuotaStoreContract } from '../quota/quotaStoreContract.js';
import { createRedisQuotaStore } from './quotaStore.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function connect(url: string): Promise<Redis | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch {
    redis.disconnect();
    return undefined;
  }
}

const redis = await connect(redisUrl);

if (!redis) {
  const message = `no Redis at ${redisUrl}; start one (e.g. \`redis-server\`) or set REDIS_URL to run these tests`;
  if (process.env.CI === 'true') {
    it('reaches the Redis that CI provides', () => {
      expect.fail(`Redis quota store tests need Redis in CI: ${message}`);
    });
  } else {
    console.warn(`Skipping Redis quota store tests: ${message}.`);
    it.skip(`Redis quota store (skipped: ${message})`, () => {});
  }
} else {
  describeAgainstRedis(redis);
}

function describeAgainstRedis(redis: Redis): void {
  describe('createRedisQuotaStore against real Redis', () => {
    const prefixes: string[] = [];
    const clients: Redis[] = [];

    function trackedPrefix(): string {
      const prefix = `fk-test:${randomUUID()}:`;
      prefixes.push(prefix);
      return prefix;
    }

    afterEach(async () => {
      for (const prefix of prefixes.splice(0)) {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      }
    });

    afterAll(async () => {
      for (const client of clients) await client.quit();
      await redis.quit();
    });

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
      const other = redis.duplicate();
      other.on('error', () => {});
      clients.push(other);
      await other.connect();
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
}

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
