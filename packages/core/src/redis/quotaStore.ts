import type { Cluster, Redis } from 'ioredis';
import { FragmentkitError } from '../errors.js';
import type { QuotaStore } from '../quota/quotaStore.js';

/**
 * Options of {@link createRedisQuotaStore}.
 *
 * @example
 * ```ts
 * import type { RedisQuotaStoreOptions } from '@fragmentkit/core/redis';
 * const options: RedisQuotaStoreOptions = { keyPrefix: 'myapp:quota:' };
 * ```
 */
export interface RedisQuotaStoreOptions {
  /** Prefix of every key; the counter key follows it. Defaults to `fk:quota:`. */
  keyPrefix?: string;
}

const addCommand = 'fragmentkitQuotaAdd';

/*
 * KEYS[1] = the counter, ARGV = amount, then milliseconds until the counter's period ends.
 * INCRBY and its expiry in one script, so a counter never exists without an expiry.
 */
const addScript = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return value
`;

type AddCommand = (key: string, amount: string, ttlMs: string) => Promise<unknown>;

/**
 * A `QuotaStore` in Redis, so every host instance counts against the same limits. Each
 * counter is one integer key (tokens, or micro-dollars: no floating point in Redis), added to
 * with `INCRBY` and given its expiry in the same Lua script, so concurrent adds are never lost
 * and a counter disappears when its period ends. The expiry is set as a duration from the
 * quota's clock reading, so a host clock that is a little off shifts expiry, never the period
 * a count belongs to (the period is in the key).
 *
 * When Redis is unreachable, `createQuota` counts in memory until it answers again (see its
 * `onStoreError` option). Give the client a `commandTimeout` and `enableOfflineQueue: false` so
 * that happens quickly.
 *
 * @example
 * ```ts
 * import { createQuota } from '@fragmentkit/core';
 * import { createRedisQuotaStore } from '@fragmentkit/core/redis';
 * import { Redis } from 'ioredis';
 *
 * const redis = new Redis(process.env.REDIS_URL!, { commandTimeout: 200, enableOfflineQueue: false });
 * const quota = createQuota({
 *   store: createRedisQuotaStore(redis, { keyPrefix: 'myapp:quota:' }),
 *   limits: { user: { dailyTokens: 500_000 }, team: { monthlyUsd: 300 } },
 * });
 * ```
 */
export function createRedisQuotaStore(redis: Redis | Cluster, options: RedisQuotaStoreOptions = {}): QuotaStore {
  const keyPrefix = options.keyPrefix ?? 'fk:quota:';
  redis.defineCommand(addCommand, { numberOfKeys: 1, lua: addScript });
  const add = (redis as unknown as Record<typeof addCommand, AddCommand>)[addCommand].bind(redis);

  return {
    async read(keys) {
      // One GET per key rather than MGET, so a cluster never sees keys of two slots in one command.
      const replies = await Promise.all(keys.map((key) => redis.get(keyPrefix + key)));
      return replies.map((reply, index) => (reply === null ? 0 : toCount(reply, 'read', keys[index]!)));
    },
    async add(updates, now) {
      const replies = await Promise.all(
        updates.map(({ key, amount, expiresAt }) =>
          add(keyPrefix + key, String(amount), String(Math.max(1, Math.ceil(expiresAt - now)))),
        ),
      );
      return replies.map((reply, index) => toCount(reply, 'add', updates[index]!.key));
    },
  };
}

function toCount(reply: unknown, operation: 'read' | 'add', key: string): number {
  const value = typeof reply === 'number' ? reply : Number(reply);
  if (Number.isSafeInteger(value)) return value;
  throw new FragmentkitError(
    'INTERNAL',
    `The Redis quota store's ${operation} answered something that is not a count.`,
    {
      details: { operation, key, reply: String(reply).slice(0, 200) },
    },
  );
}
