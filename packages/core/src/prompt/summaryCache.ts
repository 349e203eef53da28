import { LRUCache } from 'lru-cache';

/**
 * A conversation's summary as cached: its text, how many of the oldest turns it covers, and a
 * fingerprint of those turns, so an edited history is noticed instead of summarised wrongly.
 *
 * @example
 * ```ts
 * const cached: CachedSummary = { text: 'Turn 1: ...', coveredTurns: 3, fingerprint: '9f1c2a...' };
 * ```
 */
export interface CachedSummary {
  text: string;
  coveredTurns: number;
  fingerprint: string;
}

/**
 * Where `createContextEngine` keeps each conversation's summary between requests, so the
 * summarising model runs only when the summary has to grow. Implement it over Redis or a
 * database to share summaries between server instances; keys are conversation ids as the host
 * passes them, so scope them to the tenant.
 *
 * @example
 * ```ts
 * const redisSummaryCache: SummaryCache = {
 *   async get(id) {
 *     const json = await redis.get(`summary:${id}`);
 *     return json ? JSON.parse(json) : undefined;
 *   },
 *   async set(id, summary) {
 *     await redis.set(`summary:${id}`, JSON.stringify(summary), 'EX', 86_400);
 *   },
 * };
 * ```
 */
export interface SummaryCache {
  get(conversationId: string): Promise<CachedSummary | undefined> | CachedSummary | undefined;
  set(conversationId: string, summary: CachedSummary): Promise<void> | void;
}

/**
 * Options for {@link createMemorySummaryCache}.
 *
 * @example
 * ```ts
 * const options: MemorySummaryCacheOptions = { maxConversations: 500 };
 * ```
 */
export interface MemorySummaryCacheOptions {
  /** Conversations kept; the least recently used ones go first. Default 1000. */
  maxConversations?: number;
}

/**
 * A {@link SummaryCache} in process memory, for one server instance.
 *
 * @example
 * ```ts
 * import { createContextEngine, createMemorySummaryCache } from '@fragmentkit/core';
 * const engine = createContextEngine({ summarize, summaryCache: createMemorySummaryCache({ maxConversations: 500 }) });
 * ```
 */
export function createMemorySummaryCache(options: MemorySummaryCacheOptions = {}): SummaryCache {
  const summaries = new LRUCache<string, CachedSummary>({ max: Math.max(1, options.maxConversations ?? 1000) });
  return {
    get: (conversationId) => summaries.get(conversationId),
    set(conversationId, summary) {
      summaries.set(conversationId, { ...summary });
    },
  };
}
