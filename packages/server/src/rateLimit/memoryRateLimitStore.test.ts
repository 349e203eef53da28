import { describe, expect, it } from 'vitest';
import { createMemoryRateLimitStore } from './memoryRateLimitStore.js';
import type { RateLimitRule } from './rateLimitPolicy.js';
import { describeRateLimitStoreContract } from './rateLimitStoreContract.js';

const start = 1_700_000_000_000;
const minuteWindow: RateLimitRule = { algorithm: 'sliding-window', limit: 5, windowMs: 60_000 };
const bucket: RateLimitRule = { algorithm: 'token-bucket', limit: 5, windowMs: 60_000 };

describeRateLimitStoreContract('memory', () => createMemoryRateLimitStore());

describe('createMemoryRateLimitStore', () => {
  it('drops keys whose window is over at the next sweep, so idle subjects cost no memory', async () => {
    const store = createMemoryRateLimitStore({ sweepIntervalMs: 10_000 });
    for (let index = 0; index < 100; index += 1) {
      await store.consume(`ip:${index}`, minuteWindow, { id: `r${index}`, cost: 1, now: start });
    }
    await store.consume('bucket', bucket, { id: 'b', cost: 1, now: start });
    expect(store.size).toBe(101);

    // One token refills in 12 s, so the bucket is full (and forgotten) before the windows end.
    await store.consume('ip:active', minuteWindow, { id: 'a', cost: 1, now: start + 12_000 });
    expect(store.size).toBe(101);
    await store.consume('ip:active', minuteWindow, { id: 'b2', cost: 1, now: start + 60_000 });
    expect(store.size).toBe(1);
  });

  it('forgets the least recently used key beyond maxKeys', async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 2 });
    const consume = (key: string, id: string) => store.consume(key, minuteWindow, { id, cost: 1, now: start });
    await consume('ip:a', '1');
    await consume('ip:b', '2');
    await consume('ip:a', '3');
    await consume('ip:c', '4');
    expect(store.size).toBe(2);
    // `ip:a` was used after `ip:b`, so `ip:b` went and starts afresh while `ip:a` keeps its count.
    expect(await consume('ip:a', '5')).toMatchObject({ remaining: 2 });
    expect(await consume('ip:b', '6')).toMatchObject({ remaining: 4 });
  });

  it('keeps no key for a refund that leaves the counter empty', async () => {
    const store = createMemoryRateLimitStore();
    const request = { id: 'only', cost: 2, now: start };
    await store.consume('user:1', minuteWindow, request);
    await store.refund('user:1', minuteWindow, request);
    expect(store.size).toBe(0);
  });

  it.each([
    ['maxKeys', { maxKeys: 0 }],
    ['sweepIntervalMs', { sweepIntervalMs: 1.5 }],
  ])('rejects an invalid %s', (option, options) => {
    expect(() => createMemoryRateLimitStore(options)).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST', details: expect.objectContaining({ option }) }),
    );
  });
});
