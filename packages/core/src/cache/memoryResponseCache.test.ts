import { describe, expect, it } from 'vitest';
import { createMemoryResponseCache } from './memoryResponseCache.js';
import type { CachedResponse } from './responseCache.js';

const start = 1_700_000_000_000;

function cachedAnswer(text: string): CachedResponse {
  return {
    events: [
      { type: 'text-delta', text },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 5 } },
    ],
    createdAt: start,
    provider: 'openai',
    model: 'gpt-4o-mini',
  };
}

function sizeOf(value: CachedResponse): number {
  return new TextEncoder().encode(JSON.stringify(value)).byteLength;
}

function fakeClock() {
  let time = start;
  return {
    clock: { now: () => time },
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('createMemoryResponseCache', () => {
  it('returns what was set, as a copy the caller cannot change', async () => {
    const cache = createMemoryResponseCache();
    await cache.set('k', cachedAnswer('hello'));
    const first = await cache.get('k');
    expect(first).toEqual(cachedAnswer('hello'));
    (first!.events[0] as { text: string }).text = 'changed';
    expect(await cache.get('k')).toEqual(cachedAnswer('hello'));
    expect(await cache.get('other')).toBeUndefined();
  });

  it('evicts the least recently used answers once the bytes exceed maxBytes', async () => {
    const one = cachedAnswer('a'.repeat(100));
    const cache = createMemoryResponseCache({ maxBytes: sizeOf(one) * 2 });
    await cache.set('a', one);
    await cache.set('b', cachedAnswer('b'.repeat(100)));
    await cache.get('a'); // 'b' is now the least recently used
    await cache.set('c', cachedAnswer('c'.repeat(100)));
    expect(await cache.get('a')).toBeDefined();
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('c')).toBeDefined();
  });

  it('counts bytes as UTF-8, so multi-byte text takes more room than its length', async () => {
    const ascii = cachedAnswer('a'.repeat(100));
    const cache = createMemoryResponseCache({ maxBytes: sizeOf(ascii) * 2 });
    await cache.set('ascii', ascii);
    await cache.set('accented', cachedAnswer('é'.repeat(100)));
    // 100 two-byte characters push the total past two ASCII answers' worth, so the older one goes.
    expect(await cache.get('ascii')).toBeUndefined();
    expect(await cache.get('accented')).toBeDefined();
  });

  it('does not keep an answer larger than maxBytes', async () => {
    const cache = createMemoryResponseCache({ maxBytes: 100 });
    await cache.set('big', cachedAnswer('x'.repeat(500)));
    expect(await cache.get('big')).toBeUndefined();
  });

  it('evicts the oldest answer beyond maxEntries', async () => {
    const cache = createMemoryResponseCache({ maxEntries: 2 });
    await cache.set('a', cachedAnswer('a'));
    await cache.set('b', cachedAnswer('b'));
    await cache.set('c', cachedAnswer('c'));
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBeDefined();
  });

  it('expires answers after the default TTL of the cache on its clock', async () => {
    const { clock, advance } = fakeClock();
    const cache = createMemoryResponseCache({ clock, ttlMs: 60_000 });
    await cache.set('k', cachedAnswer('hello'));
    advance(60_000);
    expect(await cache.get('k')).toBeDefined();
    advance(1);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('expires an answer after the TTL given to set, and defaults to one hour', async () => {
    const { clock, advance } = fakeClock();
    const cache = createMemoryResponseCache({ clock });
    await cache.set('short', cachedAnswer('short'), 1_000);
    await cache.set('default', cachedAnswer('default'));
    advance(1_001);
    expect(await cache.get('short')).toBeUndefined();
    expect(await cache.get('default')).toBeDefined();
    advance(3_600_000 - 1_001);
    expect(await cache.get('default')).toBeDefined();
    advance(1);
    expect(await cache.get('default')).toBeUndefined();
  });

  it('refuses to cache an answer that is not complete', async () => {
    const cache = createMemoryResponseCache();
    const truncated: CachedResponse = {
      ...cachedAnswer('half'),
      events: [
        { type: 'text-delta', text: 'half' },
        { type: 'finish', finishReason: 'length', usage: { inputTokens: 1, outputTokens: 1 } },
      ],
    };
    await expect(cache.set('k', truncated)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(cache.set('k', { ...cachedAnswer('x'), events: [] })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await expect(
      cache.set('k', { ...cachedAnswer('x'), events: [{ type: 'text-delta', text: 'x' }] }),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.getStats().sets).toBe(0);
  });

  it('counts hits, misses and sets', async () => {
    const cache = createMemoryResponseCache();
    expect(cache.getStats()).toEqual({ hits: 0, misses: 0, sets: 0, hitRate: 0 });
    await cache.get('k');
    await cache.set('k', cachedAnswer('x'));
    await cache.get('k');
    await cache.get('k');
    await cache.get('k');
    expect(cache.getStats()).toEqual({ hits: 3, misses: 1, sets: 1, hitRate: 0.75 });
  });

  it('rejects options that are not positive whole numbers', () => {
    expect(() => createMemoryResponseCache({ maxBytes: 0 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST', details: { option: 'maxBytes', value: 0 } }),
    );
    expect(() => createMemoryResponseCache({ ttlMs: 1.5 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST', details: { option: 'ttlMs', value: 1.5 } }),
    );
  });
});
