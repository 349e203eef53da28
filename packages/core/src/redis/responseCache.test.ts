import { describeWithRedis } from '@fragmentkit/test-services/redis';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import type { CachedResponse } from '../cache/responseCache.js';
import { createRedisResponseCache } from './responseCache.js';

const answer: CachedResponse = {
  events: [
    { type: 'text-delta', text: 'export default function App() {' },
    { type: 'text-delta', text: ' return null; }' },
    { type: 'finish', finishReason: 'stop', usage: { inputTokens: 300, outputTokens: 12, cachedInputTokens: 100 } },
  ],
  createdAt: 1_700_000_000_000,
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
};

/** A client whose commands fail at once, like one talking to a Redis that is down. */
function unreachableRedis(): Redis {
  const down = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  down.on('error', () => {});
  return down;
}

describeWithRedis('createRedisResponseCache against real Redis', ({ redis, prefix: trackedPrefix, connect }) => {
  it('stores the answer as JSON under the prefix with a PX expiry, and reads it back', async () => {
    const prefix = trackedPrefix();
    const cache = createRedisResponseCache(redis, { keyPrefix: prefix, ttlMs: 60_000 });
    await cache.set('abc', answer);
    expect(JSON.parse((await redis.get(`${prefix}abc`))!)).toEqual(answer);
    const ttl = await redis.pttl(`${prefix}abc`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await cache.get('abc')).toEqual(answer);
    expect(await cache.get('missing')).toBeUndefined();
    expect(cache.getStats()).toEqual({ hits: 1, misses: 1, sets: 1, hitRate: 0.5 });
  });

  it('uses the TTL given to set over the default', async () => {
    const prefix = trackedPrefix();
    const cache = createRedisResponseCache(redis, { keyPrefix: prefix });
    await cache.set('short', answer, 5_000);
    await cache.set('default', answer);
    expect(await redis.pttl(`${prefix}short`)).toBeLessThanOrEqual(5_000);
    expect(await redis.pttl(`${prefix}default`)).toBeGreaterThan(5_000);
    expect(await redis.pttl(`${prefix}default`)).toBeLessThanOrEqual(3_600_000);
  });

  it('shares answers between two clients', async () => {
    const prefix = trackedPrefix();
    const other = await connect();
    await createRedisResponseCache(redis, { keyPrefix: prefix }).set('shared', answer);
    expect(await createRedisResponseCache(other, { keyPrefix: prefix }).get('shared')).toEqual(answer);
  });

  it('treats an entry that is not a complete answer as a miss and reports it', async () => {
    const prefix = trackedPrefix();
    const errors: { operation: string; key: string; code: unknown }[] = [];
    const cache = createRedisResponseCache(redis, {
      keyPrefix: prefix,
      onError: (error, context) => errors.push({ ...context, code: (error as { code?: unknown }).code }),
    });
    await redis.set(`${prefix}garbled`, 'not json');
    const truncated = {
      ...answer,
      events: [{ type: 'finish', finishReason: 'length', usage: { inputTokens: 1, outputTokens: 1 } }],
    };
    await redis.set(`${prefix}truncated`, JSON.stringify(truncated));
    expect(await cache.get('garbled')).toBeUndefined();
    expect(await cache.get('truncated')).toBeUndefined();
    expect(errors).toEqual([
      { operation: 'get', key: 'garbled', code: 'INTERNAL' },
      { operation: 'get', key: 'truncated', code: 'INTERNAL' },
    ]);
    expect(cache.getStats().misses).toBe(2);
  });

  it('refuses to store an answer that is not complete', async () => {
    const prefix = trackedPrefix();
    const cache = createRedisResponseCache(redis, { keyPrefix: prefix });
    const cut: CachedResponse = { ...answer, events: answer.events.slice(0, 2) };
    await expect(cache.set('cut', cut)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await redis.exists(`${prefix}cut`)).toBe(0);
  });
});

describe('a Redis response cache whose Redis is down', () => {
  it('answers every lookup with a miss, drops writes and reports each failure to onError', async () => {
    const down = unreachableRedis();
    try {
      const errors: { operation: string; key: string; error: unknown }[] = [];
      const cache = createRedisResponseCache(down, { onError: (error, context) => errors.push({ ...context, error }) });
      expect(await cache.get('a')).toBeUndefined();
      await cache.set('a', answer);
      expect(await cache.get('a')).toBeUndefined();
      expect(errors.map(({ operation, key }) => `${operation} ${key}`)).toEqual(['get a', 'set a', 'get a']);
      expect(errors[0]!.error).toBeInstanceOf(Error);
      expect(cache.getStats()).toEqual({ hits: 0, misses: 2, sets: 1, hitRate: 0 });
    } finally {
      down.disconnect();
    }
  });

  it('warns on the console once per outage when no onError is given', async () => {
    const down = unreachableRedis();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const cache = createRedisResponseCache(down);
      await cache.get('a');
      await cache.set('a', answer);
      await cache.get('b');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toContain('Redis response cache failed (get)');
    } finally {
      warn.mockRestore();
      down.disconnect();
    }
  });

  it('rejects a ttlMs that is not a positive whole number', () => {
    const down = unreachableRedis();
    try {
      expect(() => createRedisResponseCache(down, { ttlMs: 0 })).toThrowError(
        expect.objectContaining({ code: 'INVALID_REQUEST' }),
      );
    } finally {
      down.disconnect();
    }
  });
});
