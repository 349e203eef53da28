import { beforeEach, describe, expect, it } from 'vitest';
import type { RateLimitRule } from './rateLimitPolicy.js';
import type { RateLimitConsumption, RateLimitRequest, RateLimitStore } from './rateLimitStore.js';

/*
 * The behaviour every RateLimitStore must show, as one suite that each store's test file runs.
 * Test support only: nothing in the package imports this file.
 */

const start = 1_700_000_000_000;
const slidingWindow: RateLimitRule = { algorithm: 'sliding-window', limit: 3, windowMs: 60_000 };
// One token per second.
const tokenBucket: RateLimitRule = { algorithm: 'token-bucket', limit: 10, windowMs: 10_000 };

/**
 * Runs the shared {@link RateLimitStore} contract against stores made by `makeStore` (called
 * before each test; give each store fresh state, e.g. a unique Redis key prefix).
 *
 * @example
 * ```ts
 * import { createMemoryRateLimitStore } from './memoryRateLimitStore.js';
 * import { describeRateLimitStoreContract } from './rateLimitStoreContract.js';
 *
 * describeRateLimitStoreContract('memory', () => createMemoryRateLimitStore());
 * ```
 */
export function describeRateLimitStoreContract(
  name: string,
  makeStore: () => RateLimitStore | Promise<RateLimitStore>,
): void {
  describe(`RateLimitStore contract: ${name}`, () => {
    let store: RateLimitStore;
    let requests = 0;
    beforeEach(async () => {
      store = await makeStore();
    });

    function request(at: number, cost = 1): RateLimitRequest {
      requests += 1;
      return { id: `request-${requests}`, cost, now: start + at };
    }

    async function consumeMany(key: string, rule: RateLimitRule, at: number, count: number) {
      const consumptions: RateLimitConsumption[] = [];
      for (let index = 0; index < count; index += 1) consumptions.push(await store.consume(key, rule, request(at)));
      return consumptions;
    }

    describe('sliding window', () => {
      it('admits exactly the limit, counting down, then denies without recording the denied request', async () => {
        const consumptions = await consumeMany('user:1', slidingWindow, 0, 3);
        expect(consumptions.map(({ allowed, remaining }) => ({ allowed, remaining }))).toEqual([
          { allowed: true, remaining: 2 },
          { allowed: true, remaining: 1 },
          { allowed: true, remaining: 0 },
        ]);
        expect(consumptions[2]).toEqual({ allowed: true, remaining: 0, resetMs: 60_000, retryAfterMs: 0 });

        expect(await store.consume('user:1', slidingWindow, request(10_000))).toEqual({
          allowed: false,
          remaining: 0,
          resetMs: 50_000,
          retryAfterMs: 50_000,
        });
        // The three requests at 0 s have left; a recorded denied request (10 s) would leave only 1.
        expect(await store.consume('user:1', slidingWindow, request(60_000))).toMatchObject({
          allowed: true,
          remaining: 2,
        });
      });

      it('counts a request until exactly windowMs after it, and not a millisecond longer', async () => {
        await store.consume('user:1', slidingWindow, request(0));
        await store.consume('user:1', slidingWindow, request(20_000));
        await store.consume('user:1', slidingWindow, request(40_000));

        expect(await store.consume('user:1', slidingWindow, request(59_999))).toEqual({
          allowed: false,
          remaining: 0,
          resetMs: 40_001,
          retryAfterMs: 1,
        });
        expect(await store.consume('user:1', slidingWindow, request(60_000))).toEqual({
          allowed: true,
          remaining: 0,
          resetMs: 60_000,
          retryAfterMs: 0,
        });
        // The requests at 20 s and 40 s are still in the window; at 80 s the first leaves.
        expect(await store.consume('user:1', slidingWindow, request(79_999))).toMatchObject({
          allowed: false,
          retryAfterMs: 1,
        });
      });

      it('admits a cost only when all of it fits, and waits for enough old requests to leave', async () => {
        await store.consume('user:1', slidingWindow, request(0));
        await store.consume('user:1', slidingWindow, request(30_000));
        expect(await store.consume('user:1', slidingWindow, request(31_000, 2))).toEqual({
          allowed: false,
          remaining: 1,
          resetMs: 59_000,
          retryAfterMs: 29_000,
        });
        expect(await store.consume('user:1', slidingWindow, request(60_000, 2))).toEqual({
          allowed: true,
          remaining: 0,
          resetMs: 60_000,
          retryAfterMs: 0,
        });
        // Freeing room for a cost of 3 needs both remaining entries (30 s and the cost-2 one at 60 s) gone.
        expect(await store.consume('user:1', slidingWindow, request(61_000, 3))).toMatchObject({
          allowed: false,
          retryAfterMs: 59_000,
        });
      });

      it('refunds exactly the units of the given request', async () => {
        await store.consume('user:1', slidingWindow, request(0));
        const refunded = request(1_000, 2);
        await store.consume('user:1', slidingWindow, refunded);
        expect(await store.refund('user:1', slidingWindow, refunded)).toEqual({ remaining: 2, resetMs: 59_000 });
        expect(await store.consume('user:1', slidingWindow, request(2_000, 2))).toMatchObject({
          allowed: true,
          remaining: 0,
        });
      });

      it('reports a full limit and nothing to wait for once the window is empty', async () => {
        const only = request(0);
        await store.consume('user:1', slidingWindow, only);
        expect(await store.refund('user:1', slidingWindow, only)).toEqual({ remaining: 3, resetMs: 0 });
      });

      it('never reports negative remaining units after the limit was lowered', async () => {
        await consumeMany('user:1', slidingWindow, 0, 3);
        expect(await store.consume('user:1', { ...slidingWindow, limit: 2 }, request(1_000))).toMatchObject({
          allowed: false,
          remaining: 0,
          retryAfterMs: 59_000,
        });
      });

      it('keeps keys apart', async () => {
        await consumeMany('user:1', slidingWindow, 0, 3);
        expect(await store.consume('user:2', slidingWindow, request(0))).toMatchObject({ allowed: true, remaining: 2 });
      });
    });

    describe('token bucket', () => {
      it('admits a burst of the whole limit at once, then one token per refill interval', async () => {
        const consumptions = await consumeMany('ip:1', tokenBucket, 0, 10);
        expect(consumptions.every(({ allowed }) => allowed)).toBe(true);
        expect(consumptions.at(-1)).toEqual({ allowed: true, remaining: 0, resetMs: 10_000, retryAfterMs: 0 });

        expect(await store.consume('ip:1', tokenBucket, request(999))).toEqual({
          allowed: false,
          remaining: 0,
          resetMs: 9_001,
          retryAfterMs: 1,
        });
        expect(await store.consume('ip:1', tokenBucket, request(1_000))).toEqual({
          allowed: true,
          remaining: 0,
          resetMs: 10_000,
          retryAfterMs: 0,
        });
      });

      it('refills partially in proportion to the time passed', async () => {
        await consumeMany('ip:1', tokenBucket, 0, 10);
        // 2.5 tokens after 2.5 s: one request leaves 1.5, reported as 1 whole unit.
        expect(await store.consume('ip:1', tokenBucket, request(2_500))).toEqual({
          allowed: true,
          remaining: 1,
          resetMs: 8_500,
          retryAfterMs: 0,
        });
        expect(await store.consume('ip:1', tokenBucket, request(2_500, 2))).toEqual({
          allowed: false,
          remaining: 1,
          resetMs: 8_500,
          retryAfterMs: 500,
        });
        expect(await store.consume('ip:1', tokenBucket, request(3_000, 2))).toMatchObject({
          allowed: true,
          remaining: 0,
        });
      });

      it('never holds more than the limit, however long it rested', async () => {
        await store.consume('ip:1', tokenBucket, request(0, 4));
        const consumptions = await consumeMany('ip:1', tokenBucket, 3_600_000, 11);
        expect(consumptions.filter(({ allowed }) => allowed)).toHaveLength(10);
      });

      it('records nothing for a denied cost', async () => {
        await store.consume('ip:1', tokenBucket, request(0, 8));
        expect(await store.consume('ip:1', tokenBucket, request(0, 3))).toMatchObject({
          allowed: false,
          remaining: 2,
          retryAfterMs: 1_000,
        });
        expect(await store.consume('ip:1', tokenBucket, request(0, 2))).toMatchObject({ allowed: true, remaining: 0 });
      });

      it('refunds the tokens of a request, up to the limit', async () => {
        const refunded = request(0, 3);
        await store.consume('ip:1', tokenBucket, refunded);
        expect(await store.refund('ip:1', tokenBucket, refunded)).toEqual({ remaining: 10, resetMs: 0 });
        await store.consume('ip:1', tokenBucket, request(0, 1));
        const later = request(500, 5);
        await store.consume('ip:1', tokenBucket, later);
        expect(await store.refund('ip:1', tokenBucket, later)).toEqual({ remaining: 9, resetMs: 500 });
      });

      it('keeps a bucket apart from a sliding window under the same key', async () => {
        await consumeMany('shared', slidingWindow, 0, 3);
        expect(await store.consume('shared', tokenBucket, request(0))).toMatchObject({ allowed: true, remaining: 9 });
        expect(await store.consume('shared', slidingWindow, request(0))).toMatchObject({ allowed: false });
      });
    });
  });
}
