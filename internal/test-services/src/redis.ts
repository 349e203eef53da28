import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

/** Where the Redis half of the tests connects. */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A client that fails fast instead of queueing or retrying, as the docs advise for production. */
export function connectRedis(url = redisUrl): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  return redis;
}

async function probe(): Promise<Redis | string> {
  const redis = connectRedis();
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    return error instanceof Error ? error.message : String(error);
  }
}

const probed = await probe();

/** The keys a test wrote: each test gets its own prefix, deleted after it. */
export interface RedisTestContext {
  redis: Redis;
  /** A fresh key prefix, removed after the test. */
  prefix(): string;
  /** Another client of the same Redis, like a second host instance; closed after the file. */
  connect(): Promise<Redis>;
}

/**
 * Declares tests that need a real Redis. Without one they are skipped with a note on how to
 * enable them, except in CI, where that fails. Redis is probed once per test file.
 *
 * @example
 * ```ts
 * describeWithRedis('createRedisQuotaStore against real Redis', ({ redis, prefix }) => {
 *   it('counts', async () => {
 *     const store = createRedisQuotaStore(redis, { keyPrefix: prefix() });
 *   });
 * });
 * ```
 */
export function describeWithRedis(title: string, body: (context: RedisTestContext) => void): void {
  if (typeof probed === 'string') {
    const message = `no Redis at ${redisUrl} (${probed}); start one (e.g. \`redis-server\`) or set REDIS_URL to run these tests`;
    if (process.env.CI === 'true') {
      it(`${title}: reaches the Redis that CI provides`, () => {
        expect.fail(message);
      });
    } else {
      console.warn(`Skipping ${title}: ${message}.`);
      describe.skip(`${title} (skipped: ${message})`, () => {});
    }
    return;
  }
  const redis = probed;
  const prefixes: string[] = [];
  const clients: Redis[] = [];
  describe(title, () => {
    afterEach(async () => {
      for (const prefix of prefixes.splice(0)) {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      }
    });
    afterAll(async () => {
      await Promise.all(clients.splice(0).map((client) => client.quit()));
    });
    body({
      redis,
      prefix() {
        const prefix = `fk-test:${randomUUID()}:`;
        prefixes.push(prefix);
        return prefix;
      },
      async connect() {
        const client = connectRedis();
        await client.connect();
        clients.push(client);
        return client;
      },
    });
  });
}

afterAll(async () => {
  if (typeof probed !== 'string') await probed.quit();
});
