import { FragmentkitError } from '@fragmentkit/core';
import type { Cluster, Redis } from 'ioredis';
import type { RateLimitAlgorithm, RateLimitRule } from './rateLimitPolicy.js';
import type { RateLimitConsumption, RateLimitRequest, RateLimitStore, RateLimitUsage } from './rateLimitStore.js';
import { rateLimitScripts } from './redisRateLimitScripts.js';

/**
 * Options of {@link createRedisRateLimitStore}.
 *
 * @example
 * ```ts
 * import type { RedisRateLimitStoreOptions } from '@fragmentkit/server/redis';
 * const options: RedisRateLimitStoreOptions = { keyPrefix: 'myapp:rl:' };
 * ```
 */
export interface RedisRateLimitStoreOptions {
  /** Prefix of every key; `<algorithm>:<policy name>:<policy key>` follows it. Default `fk:rl:`. */
  keyPrefix?: string;
}

const commandNames: Record<RateLimitAlgorithm, string> = {
  'sliding-window': 'fragmentkitRateLimitSlidingWindow',
  'token-bucket': 'fragmentkitRateLimitTokenBucket',
};

type ScriptCommand = (key: string, ...args: string[]) => Promise<unknown>;

/**
 * Creates a {@link RateLimitStore} in Redis, so every host instance using it enforces one
 * shared limit per key. Each algorithm is one Lua script (loaded once per connection through
 * ioredis `defineCommand`, then run with EVALSHA) that checks and consumes atomically inside
 * Redis; a sliding window is a sorted set of the window's requests, a token bucket a hash of
 * two numbers, and every key expires when its window is over. Time comes from the limiter's
 * clock, not Redis `TIME`, so keep host clocks in sync (NTP).
 *
 * When Redis is unreachable the calls reject and `createRateLimiter` limits in memory until
 * Redis answers again. Give the client a `commandTimeout` and `enableOfflineQueue: false` so
 * that happens quickly.
 *
 * @example
 * ```ts
 * import { createRateLimiter, tieredDailyPolicies } from '@fragmentkit/server';
 * import { createRedisRateLimitStore } from '@fragmentkit/server/redis';
 * import { Redis } from 'ioredis';
 *
 * const redis = new Redis(process.env.REDIS_URL!, { commandTimeout: 200, enableOfflineQueue: false });
 * const limiter = createRateLimiter({
 *   store: createRedisRateLimitStore(redis, { keyPrefix: 'myapp:rl:' }),
 *   policies: tieredDailyPolicies({ guest: 10, free: 50, pro: 200 }),
 * });
 * ```
 */
export function createRedisRateLimitStore(
  redis: Redis | Cluster,
  options: RedisRateLimitStoreOptions = {},
): RateLimitStore {
  const keyPrefix = options.keyPrefix ?? 'fk:rl:';
  for (const algorithm of Object.keys(commandNames) as RateLimitAlgorithm[]) {
    redis.defineCommand(commandNames[algorithm], { numberOfKeys: 1, lua: rateLimitScripts[algorithm] });
  }
  const commands = redis as unknown as Record<string, ScriptCommand>;

  async function run(
    operation: 'consume' | 'refund',
    key: string,
    rule: RateLimitRule,
    request: RateLimitRequest,
  ): Promise<RateLimitConsumption> {
    const reply = await commands[commandNames[rule.algorithm]]!(
      `${keyPrefix}${rule.algorithm}:${key}`,
      operation,
      String(request.now),
      String(rule.limit),
      String(rule.windowMs),
      String(request.cost),
      request.id,
    );
    if (!Array.isArray(reply) || reply.length !== 4 || !reply.every((value) => Number.isSafeInteger(value))) {
      throw new FragmentkitError(
        'INTERNAL',
        `The Redis rate limit store's ${rule.algorithm} script answered something unexpected.`,
        { details: { operation, reply: String(reply).slice(0, 200) } },
      );
    }
    const [allowed, remaining, resetMs, retryAfterMs] = reply as [number, number, number, number];
    return { allowed: allowed === 1, remaining, resetMs, retryAfterMs };
  }

  return {
    consume: (key, rule, request) => run('consume', key, rule, request),
    async refund(key, rule, request): Promise<RateLimitUsage> {
      const { remaining, resetMs } = await run('refund', key, rule, request);
      return { remaining, resetMs };
    },
  };
}
