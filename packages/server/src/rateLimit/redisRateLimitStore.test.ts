import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { describeWithRedis } from '../../test/testRedis.js';
import type { FragmentkitLogger } from '../logger.js';
import { createRateLimiter } from './rateLimiter.js';
import type { RateLimitPolicy } from './rateLimitPolicy.js';
import type { RateLimitStore } from './rateLimitStore.js';
import { describeRateLimitStoreContract } from './rateLimitStoreContract.js';
import { createRedisRateLimitStore } from './redisRateLimitStore.js';

const start = 1_700_000_000_000;
const day = 86_400_000;

const perUser: RateLimitPolicy = {
  name: 'daily',
  algorithm: 'sliding-window',
  limit: 3,
  windowMs: day,
  key: (subject) => (subject.userId ? `user:${subject.userId}` : null),
};

function uniquePrefix(): string {
  return `fk-test:rl:${randomUUID()}:`;
}

function recordingLogger() {
  const lines: { level: string; message?: string }[] = [];
  const logger: FragmentkitLogger = {
    info: (_fields, message) => lines.push({ level: 'info', message }),
    warn: (_fields, message) => lines.push({ level: 'warn', message }),
    error: (_fields, message) => lines.push({ level: 'error', message }),
  };
  return { logger, lines };
}

describeWithRedis('createRedisRateLimitStore against real Redis', ({ redis, prefix: trackedPrefix, connect }) => {
  describeRateLimitStoreContract('redis', () => createRedisRateLimitStore(redis, { keyPrefix: trackedPrefix() }));

  it('keeps a sliding window as a sorted set of the requests, stamped with the caller clock, expiring with the window', async () => {
    const prefix = trackedPrefix();
    const store = createRedisRateLimitStore(redis, { keyPrefix: prefix });
    const rule = { algorithm: 'sliding-window', limit: 5, windowMs: 60_000 } as const;
    await store.consume('daily:user:42', rule, { id: 'first', cost: 1, now: start });
    await store.consume('daily:user:42', rule, { id: 'second', cost: 3, now: start + 1_000 });
    await store.consume('daily:user:42', rule, { id: 'denied', cost: 2, now: start + 2_000 });

    const key = `${prefix}sliding-window:daily:user:42`;
    expect(await redis.keys(`${prefix}*`)).toEqual([key]);
    expect(await redis.zrange(key, 0, -1, 'WITHSCORES')).toEqual([
      '1:first',
      String(start),
      '3:second',
      String(start + 1_000),
    ]);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(59_000);
  });

  it('keeps a token bucket as a hash that disappears once the bucket is full again', async () => {
    const prefix = trackedPrefix();
    const store = createRedisRateLimitStore(redis, { keyPrefix: prefix });
    const rule = { algorithm: 'token-bucket', limit: 10, windowMs: 10_000 } as const;
    const request = { id: 'burst', cost: 4, now: start };
    await store.consume('burst:ip:1', rule, request);

    const key = `${prefix}token-bucket:burst:ip:1`;
    expect(await redis.hgetall(key)).toEqual({ level: '60000', updatedAt: String(start) });
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(4_000);

    await store.refund('burst:ip:1', rule, request);
    expect(await redis.exists(key)).toBe(0);
  });

  it('keeps token counts exact when limit × windowMs needs more than 14 digits', async () => {
    const store = createRedisRateLimitStore(redis, { keyPrefix: trackedPrefix() });
    // After one request the level is 864 000 116 400 003 units; Lua's default 14-digit
    // formatting would store 864 000 116 400 000, one whole token short.
    const rule = { algorithm: 'token-bucket', limit: 10_000_002, windowMs: 86_400_003 } as const;
    expect(await store.consume('big', rule, { id: 'a', cost: 1, now: start })).toMatchObject({
      allowed: true,
      remaining: 10_000_001,
    });
    expect(await store.consume('big', rule, { id: 'b', cost: 1, now: start })).toMatchObject({
      allowed: true,
      remaining: 10_000_000,
    });
    expect(await store.consume('big', rule, { id: 'c', cost: 10_000_000, now: start })).toMatchObject({
      allowed: true,
      remaining: 0,
    });
    expect(await store.consume('big', rule, { id: 'd', cost: 1, now: start + 8 })).toMatchObject({
      allowed: false,
      retryAfterMs: 1,
    });
    expect(await store.consume('big', rule, { id: 'e', cost: 1, now: start + 9 })).toMatchObject({ allowed: true });
  });

  describe('two limiters on two connections sharing one Redis', () => {
    async function twoHosts(policies: RateLimitPolicy[]) {
      const other = await connect();
      const prefix = trackedPrefix();
      const clock = { now: () => start };
      return {
        hostA: createRateLimiter({ clock, policies, store: createRedisRateLimitStore(redis, { keyPrefix: prefix }) }),
        hostB: createRateLimiter({ clock, policies, store: createRedisRateLimitStore(other, { keyPrefix: prefix }) }),
      };
    }

    it('enforce one shared limit', async () => {
      const { hostA, hostB } = await twoHosts([perUser]);
      expect((await hostA.check({ userId: '42' })).allowed).toBe(true);
      expect(await hostB.check({ userId: '42' })).toMatchObject({ allowed: true, policies: [{ remaining: 1 }] });
      expect((await hostA.check({ userId: '42' })).allowed).toBe(true);
      expect(await hostB.check({ userId: '42' })).toMatchObject({ allowed: false, retryAfterMs: day });
      expect((await hostA.check({ userId: '7' })).allowed).toBe(true);
    });

    it('admit exactly the limit out of many concurrent requests', async () => {
      const bucket: RateLimitPolicy = { ...perUser, name: 'burst', algorithm: 'token-bucket', limit: 5 };
      const { hostA, hostB } = await twoHosts([perUser, bucket]);
      const decisions = await Promise.all(
        Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? hostA : hostB).check({ userId: '42' })),
      );
      expect(decisions.filter(({ allowed }) => allowed)).toHaveLength(3);
      // The denied requests used nothing: the bucket lost exactly the three admitted tokens.
      expect((await hostA.check({ userId: '42' })).policies[1]).toMatchObject({ name: 'burst', remaining: 2 });
    });
  });

  it('goes back to Redis when it answers again, after limiting in memory while it did not', async () => {
    const prefix = trackedPrefix();
    const redisStore = createRedisRateLimitStore(redis, { keyPrefix: prefix });
    const connection = { down: false };
    const flakyStore: RateLimitStore = {
      consume: (key, rule, request) =>
        connection.down ? Promise.reject(new Error('Connection is closed.')) : redisStore.consume(key, rule, request),
      refund: (key, rule, request) =>
        connection.down ? Promise.reject(new Error('Connection is closed.')) : redisStore.refund(key, rule, request),
    };
    const { logger, lines } = recordingLogger();
    const limiter = createRateLimiter({
      clock: { now: () => start },
      store: flakyStore,
      logger,
      policies: [perUser],
    });
    const key = `${prefix}sliding-window:daily:user:42`;

    expect(await limiter.check({ userId: '42' })).toMatchObject({
      fromFallback: false,
      policies: [{ remaining: 2 }],
    });
    connection.down = true;
    expect(await limiter.check({ userId: '42' })).toMatchObject({ fromFallback: true, policies: [{ remaining: 2 }] });
    expect(await redis.zcard(key)).toBe(1);

    connection.down = false;
    expect(await limiter.check({ userId: '42' })).toMatchObject({
      fromFallback: false,
      policies: [{ remaining: 1 }],
    });
    expect(await redis.zcard(key)).toBe(2);
    expect(lines.map(({ level }) => level)).toEqual(['warn', 'info']);
    expect(limiter.getMetrics()).toMatchObject({ checks: 3, fallbackDecisions: 1, storeErrors: 1 });
  });
});

describe('a rate limiter whose Redis is down', () => {
  it('still decides from memory, warns once and counts the fallback decisions', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    down.on('error', () => {});
    try {
      const { logger, lines } = recordingLogger();
      const storeErrors: unknown[] = [];
      const limiter = createRateLimiter({
        clock: { now: () => start },
        store: createRedisRateLimitStore(down, { keyPrefix: uniquePrefix() }),
        logger,
        onStoreError: (error) => storeErrors.push(error),
        policies: [perUser],
      });

      const decisions = [];
      for (let index = 0; index < 4; index += 1) decisions.push(await limiter.check({ userId: '42' }));
      expect(decisions.map(({ allowed, fromFallback }) => ({ allowed, fromFallback }))).toEqual([
        { allowed: true, fromFallback: true },
        { allowed: true, fromFallback: true },
        { allowed: true, fromFallback: true },
        { allowed: false, fromFallback: true },
      ]);
      expect(lines).toEqual([
        {
          level: 'warn',
          message:
            'The rate limit store failed; this instance limits requests in memory until the store answers again.',
        },
      ]);
      expect(storeErrors).toHaveLength(4);
      expect(storeErrors[0]).toBeInstanceOf(Error);
      expect(limiter.getMetrics()).toEqual({
        checks: 4,
        allowed: 3,
        denied: 1,
        fallbackDecisions: 4,
        storeErrors: 4,
      });
    } finally {
      down.disconnect();
    }
  });
});
