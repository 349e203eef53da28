import { z } from 'zod';
import { FragmentkitError } from '../errors.js';
import type { ModelStreamEvent } from '../providers/types.js';

/**
 * A complete model answer as the cache keeps it: the text deltas in the order they streamed,
 * then the `finish` event (reason `stop`, and the usage the original call had). Build one with
 * `recordForCache`; play it back with `replayCachedStream`.
 *
 * @example
 * ```ts
 * import type { CachedResponse } from '@fragmentkit/core';
 *
 * const cached: CachedResponse = {
 *   events: [
 *     { type: 'text-delta', text: 'Hello' },
 *     { type: 'finish', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: 1 } },
 *   ],
 *   createdAt: Date.now(),
 *   provider: 'openai',
 *   model: 'gpt-4o-mini',
 * };
 * ```
 */
export interface CachedResponse {
  events: ModelStreamEvent[];
  /** When the answer was recorded, in milliseconds since the Unix epoch. */
  createdAt: number;
  /** The provider that produced the answer. */
  provider: string;
  /** The model id that produced the answer. */
  model: string;
}

/**
 * Where complete model answers are kept, by {@link responseCacheKey}. Implementations must
 * never reject into the request path for a storage failure: a read that fails is a miss, a
 * write that fails is dropped (and reported through the implementation's own channel).
 *
 * @example
 * ```ts
 * import { createMemoryResponseCache, replayCachedStream, type ResponseCache } from '@fragmentkit/core';
 *
 * const cache: ResponseCache = createMemoryResponseCache();
 * const cached = await cache.get(key);
 * if (cached) return replayCachedStream(cached);
 * ```
 */
export interface ResponseCache {
  get(key: string): Promise<CachedResponse | undefined>;
  /**
   * Keeps `value` for `ttlMs` (defaults to the cache's own TTL).
   *
   * @throws FragmentkitError `INVALID_REQUEST` when `value` is not a complete answer (see
   * {@link CachedResponse}) or `ttlMs` is not a whole number of at least 1.
   */
  set(key: string, value: CachedResponse, ttlMs?: number): Promise<void>;
}

/**
 * Counters of a {@link ResponseCacheWithStats} since it was made.
 *
 * @example
 * ```ts
 * const { hits, misses, hitRate } = cache.getStats();
 * metrics.gauge('llm_cache_hit_rate', hitRate);
 * ```
 */
export interface ResponseCacheStats {
  hits: number;
  /** Lookups that found nothing, including those a storage failure turned into a miss. */
  misses: number;
  /** Answers handed to `set`, including any a storage failure made the cache drop. */
  sets: number;
  /** `hits / (hits + misses)`, or 0 before the first lookup. */
  hitRate: number;
}

/**
 * A {@link ResponseCache} that counts its hits, misses and writes. See {@link withCacheStats}.
 *
 * @example
 * ```ts
 * const cache: ResponseCacheWithStats = createMemoryResponseCache();
 * cache.getStats().hitRate; // 0
 * ```
 */
export interface ResponseCacheWithStats extends ResponseCache {
  getStats(): ResponseCacheStats;
}

/**
 * Adds hit, miss and write counters to any {@link ResponseCache}. The caches fragmentkit makes
 * already have them; wrap your own implementation to get the same numbers.
 *
 * @example
 * ```ts
 * import { withCacheStats } from '@fragmentkit/core';
 *
 * const cache = withCacheStats(myDynamoResponseCache);
 * setInterval(() => logger.info(cache.getStats(), 'response cache'), 60_000);
 * ```
 */
export function withCacheStats(cache: ResponseCache): ResponseCacheWithStats {
  let hits = 0;
  let misses = 0;
  let sets = 0;
  return {
    async get(key) {
      const value = await cache.get(key);
      if (value === undefined) misses += 1;
      else hits += 1;
      return value;
    },
    async set(key, value, ttlMs) {
      await cache.set(key, value, ttlMs);
      sets += 1;
    },
    getStats: () => ({ hits, misses, sets, hitRate: hits + misses === 0 ? 0 : hits / (hits + misses) }),
  };
}

const usageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cachedInputTokens: z.number().optional(),
  cacheWriteTokens: z.number().optional(),
});

const cachedEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text-delta'), text: z.string() }),
  z.object({ type: z.literal('finish'), finishReason: z.literal('stop'), usage: usageSchema }),
]);

/** The shape of a {@link CachedResponse} that may be replayed: text deltas, then one `stop` finish. */
export const cachedResponseSchema = z
  .object({
    events: z.array(cachedEventSchema),
    createdAt: z.number(),
    provider: z.string(),
    model: z.string(),
  })
  .refine(
    ({ events }) => events.length > 0 && events.findIndex((event) => event.type === 'finish') === events.length - 1,
    'events must end with exactly one finish event',
  );

/** Throws `INVALID_REQUEST` unless `value` is a complete answer and `ttlMs` a usable TTL. */
export function assertCacheable(value: CachedResponse, ttlMs: number): void {
  const result = cachedResponseSchema.safeParse(value);
  if (!result.success) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      'Only complete answers (text deltas, then a finish with reason stop) can be cached; build the value with recordForCache.',
      { details: { issues: result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) } },
    );
  }
  assertTtl(ttlMs, 'ttlMs');
}

/** Throws `INVALID_REQUEST` unless `ttlMs` is a whole number of milliseconds of at least 1. */
export function assertTtl(ttlMs: number, option: string): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new FragmentkitError(
      'INVALID_REQUEST',
      `Response cache ${option} must be a whole number of milliseconds, at least 1; got ${ttlMs}.`,
      { details: { option, value: ttlMs } },
    );
  }
}
