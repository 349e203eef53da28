import { describe, expect, it } from 'vitest';
import { type CachedResponse, type ResponseCache, withCacheStats } from './responseCache.js';

const answer: CachedResponse = {
  events: [{ type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 0 } }],
  createdAt: 0,
  provider: 'openai',
  model: 'gpt-4o-mini',
};

describe('withCacheStats', () => {
  it('passes calls through and counts hits, misses and sets', async () => {
    const calls: string[] = [];
    const inner: ResponseCache = {
      async get(key) {
        calls.push(`get ${key}`);
        return key === 'hit' ? answer : undefined;
      },
      async set(key, _value, ttlMs) {
        calls.push(`set ${key} ${ttlMs}`);
      },
    };
    const cache = withCacheStats(inner);
    expect(await cache.get('hit')).toBe(answer);
    expect(await cache.get('miss')).toBeUndefined();
    await cache.set('new', answer, 5_000);
    await cache.set('default', answer);
    expect(calls).toEqual(['get hit', 'get miss', 'set new 5000', 'set default undefined']);
    expect(cache.getStats()).toEqual({ hits: 1, misses: 1, sets: 2, hitRate: 0.5 });
  });

  it('does not count a set that failed', async () => {
    const cache = withCacheStats({
      get: async () => undefined,
      set: async () => {
        throw new Error('refused');
      },
    });
    await expect(cache.set('k', answer)).rejects.toThrow('refused');
    expect(cache.getStats().sets).toBe(0);
  });
});
