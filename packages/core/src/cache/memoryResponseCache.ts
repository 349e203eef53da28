import { LRUCache } from 'lru-cache';
import { FragmentkitError } from '../errors.js';
import { type Clock, systemClock } from '../router/clock.js';
import {
  assertCacheable,
  assertTtl,
  type CachedResponse,
  type ResponseCacheWithStats,
  withCacheStats,
} from './responseCache.js';

/**
 * Options of {@link createMemoryResponseCache}.
 *
 * @example
 * ```ts
 * import { createMemoryResponseCache, type MemoryResponseCacheOptions } from '@fragmentkit/core';
 * const options: MemoryResponseCacheOptions = { maxBytes: 16 * 1024 * 1024, ttlMs: 10 * 60_000 };
 * const cache = createMemoryResponseCache(options);
 * ```
 */
export interface MemoryResponseCacheOptions {
  /** Most answers kept at once. Defaults to 1,000. */
  maxEntries?: number;
  /**
   * Most bytes kept at once, counting each answer as the UTF-8 size of its JSON form (the
   * same text a Redis cache stores). Defaults to 64 MiB. An answer larger than this is not kept.
   */
  maxBytes?: number;
  /** How long an answer is kept when `set` gives no TTL. Defaults to one hour. */
  ttlMs?: number;
  /** Defaults to {@link systemClock}. */
  clock?: Clock;
}

const defaultMaxEntries = 1_000;
const defaultMaxBytes = 64 * 1024 * 1024;
const defaultTtlMs = 3_600_000;

/**
 * A response cache in this process's memory: least recently used answers are evicted first
 * when it holds `maxEntries` answers or `maxBytes` bytes, and each answer expires after its
 * TTL. Answers are stored as JSON text, so a caller that changes a value it got or set cannot
 * change what the next hit replays. Counts hits and misses (see {@link withCacheStats}).
 *
 * @throws FragmentkitError `INVALID_REQUEST` when an option is not a whole number of at least 1.
 *
 * @example
 * ```ts
 * import { createMemoryResponseCache, recordForCache, replayCachedStream, responseCacheKey } from '@fragmentkit/core';
 *
 * const cache = createMemoryResponseCache({ ttlMs: 15 * 60_000 });
 * const key = await responseCacheKey({ provider: 'openai', model: 'gpt-4o-mini', ...request });
 * const cached = await cache.get(key);
 * if (cached) return replayCachedStream(cached);
 * ```
 */
export function createMemoryResponseCache(options: MemoryResponseCacheOptions = {}): ResponseCacheWithStats {
  const maxEntries = options.maxEntries ?? defaultMaxEntries;
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  const ttlMs = options.ttlMs ?? defaultTtlMs;
  const clock = options.clock ?? systemClock;
  requireCount(maxEntries, 'maxEntries');
  requireCount(maxBytes, 'maxBytes');
  assertTtl(ttlMs, 'ttlMs');

  const encoder = new TextEncoder();
  const entries = new LRUCache<string, string>({
    max: maxEntries,
    maxSize: maxBytes,
    sizeCalculation: (json) => encoder.encode(json).byteLength,
    ttl: ttlMs,
    // Read the injected clock on every check instead of caching a reading for a millisecond.
    ttlResolution: 0,
    perf: { now: () => clock.now() },
  });

  return withCacheStats({
    async get(key) {
      const json = entries.get(key);
      return json === undefined ? undefined : (JSON.parse(json) as CachedResponse);
    },
    async set(key, value, entryTtlMs = ttlMs) {
      assertCacheable(value, entryTtlMs);
      entries.set(key, JSON.stringify(value), { ttl: entryTtlMs });
    },
  });
}

function requireCount(value: number, option: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `Memory response cache option ${option} must be a whole number of at least 1; got ${value}.`,
      { details: { option, value } },
    );
  }
}
