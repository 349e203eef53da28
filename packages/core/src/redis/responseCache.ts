import type { Cluster, Redis } from 'ioredis';
import type { CachedResponse, ResponseCacheWithStats } from '../cache/responseCache.js';
import { assertCacheable, assertTtl, cachedResponseSchema, withCacheStats } from '../cache/responseCache.js';
import { FragmentkitError } from '../errors.js';

/**
 * Options of {@link createRedisResponseCache}.
 *
 * @example
 * ```ts
 * import type { RedisResponseCacheOptions } from '@fragmentkit/core/redis';
 * const options: RedisResponseCacheOptions = { keyPrefix: 'myapp:cache:', ttlMs: 600_000 };
 * ```
 */
export interface RedisResponseCacheOptions {
  /** Prefix of every key; the cache key follows it. Defaults to `fk:cache:`. */
  keyPrefix?: string;
  /** How long an answer is kept when `set` gives no TTL. Defaults to one hour. */
  ttlMs?: number;
  /**
   * Called when Redis fails or holds an entry that is not a valid answer; the lookup then
   * counts as a miss and a failed write is dropped. Without this option the cache logs one
   * `console.warn` per outage. Must not throw.
   */
  onError?: (error: unknown, context: { operation: 'get' | 'set'; key: string }) => void;
}

const defaultTtlMs = 3_600_000;

/**
 * A response cache in Redis, shared by every host instance: one key per answer holding its
 * JSON, written with `SET ... PX` so Redis drops it when its TTL ends. Counts hits and misses
 * (see `withCacheStats`).
 *
 * A Redis failure never reaches the request: a lookup that fails is a miss and a write that
 * fails is dropped, both reported through `onError`. There is deliberately no in-memory
 * stand-in during an outage; a miss is already the safe way to degrade. Give the client a
 * `commandTimeout` and `enableOfflineQueue: false` so an outage costs milliseconds, not seconds.
 *
 * @throws FragmentkitError `INVALID_REQUEST` when `ttlMs` is not a whole number of at least 1.
 *
 * @example
 * ```ts
 * import { createRedisResponseCache } from '@fragmentkit/core/redis';
 * import { Redis } from 'ioredis';
 *
 * const redis = new Redis(process.env.REDIS_URL!, { commandTimeout: 200, enableOfflineQueue: false });
 * const cache = createRedisResponseCache(redis, {
 *   ttlMs: 30 * 60_000,
 *   onError: (error, { operation }) => logger.warn({ error, operation }, 'response cache unavailable'),
 * });
 * ```
 */
export function createRedisResponseCache(
  redis: Redis | Cluster,
  options: RedisResponseCacheOptions = {},
): ResponseCacheWithStats {
  const keyPrefix = options.keyPrefix ?? 'fk:cache:';
  const ttlMs = options.ttlMs ?? defaultTtlMs;
  assertTtl(ttlMs, 'ttlMs');
  let healthy = true;

  function reportFailure(error: unknown, operation: 'get' | 'set', key: string): void {
    if (options.onError) {
      options.onError(error, { operation, key });
    } else if (healthy) {
      console.warn(
        `[fragmentkit] The Redis response cache failed (${operation}); serving misses until it answers again.`,
        error,
      );
    }
    healthy = false;
  }

  function reportUnreadableEntry(key: string, json: string): void {
    const error = new FragmentkitError(
      'INTERNAL',
      'The Redis response cache holds an entry that is not a cached answer.',
      {
        details: { key: keyPrefix + key, entry: json.slice(0, 200) },
      },
    );
    if (options.onError) options.onError(error, { operation: 'get', key });
    else console.warn(`[fragmentkit] ${error.message} Treating it as a miss.`, error.details);
  }

  return withCacheStats({
    async get(key) {
      let json: string | null;
      try {
        json = await redis.get(keyPrefix + key);
        healthy = true;
      } catch (error) {
        reportFailure(error, 'get', key);
        return undefined;
      }
      if (json === null) return undefined;
      const entry = parseEntry(json);
      if (entry === undefined) reportUnreadableEntry(key, json);
      return entry;
    },
    async set(key, value, entryTtlMs = ttlMs) {
      assertCacheable(value, entryTtlMs);
      try {
        await redis.set(keyPrefix + key, JSON.stringify(value), 'PX', entryTtlMs);
        healthy = true;
      } catch (error) {
        reportFailure(error, 'set', key);
      }
    },
  });
}

function parseEntry(json: string): CachedResponse | undefined {
  try {
    const result = cachedResponseSchema.safeParse(JSON.parse(json));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
