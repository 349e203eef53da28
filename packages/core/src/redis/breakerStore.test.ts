import { randomUUID } from 'node:crypto';
import { describeWithRedis } from '@fragmentkit/test-services/redis';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { FragmentkitError } from '../errors.js';
import type { BreakerConfig } from '../router/breakerStore.js';
import { describeBreakerStoreContract } from '../router/breakerStoreContract.js';
import { createCircuitBreaker } from '../router/circuitBreaker.js';
import { createRedisBreakerStore } from './breakerStore.js';

const start = 1_700_000_000_000;
const unavailable = () => new FragmentkitError('PROVIDER_UNAVAILABLE', '503 from upstream', { statusCode: 503 });

const config: BreakerConfig = {
  failureThreshold: 3,
  windowMs: 60_000,
  failureRateThreshold: 0.5,
  minimumVolume: 10,
  resetTimeoutMs: 30_000,
  maxResetTimeoutMs: 300_000,
  halfOpenMaxProbes: 1,
  successesToClose: 1,
  probeTimeoutMs: 120_000,
};

function uniquePrefix(): string {
  return `fk-test:${randomUUID()}:`;
}

describeWithRedis('createRedisBreakerStore against real Redis', ({ redis, prefix: trackedPrefix, connect }) => {
  describeBreakerStoreContract('redis', () => createRedisBreakerStore(redis, { keyPrefix: trackedPrefix() }));

  it('keeps one expiring JSON key per target under the prefix, and writes nothing for calls admitted while closed', async () => {
    const prefix = trackedPrefix();
    const store = createRedisBreakerStore(redis, { keyPrefix: prefix, ttlMs: 10_000 });
    await store.tryAcquire('openai:gpt-5', start, config);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);

    const acquisition = await store.tryAcquire('anthropic:claude-sonnet-4-5', start, config);
    if (!acquisition.allowed) throw new Error('expected a call to be admitted');
    const failure = { type: 'failure', error: { code: 'PROVIDER_TIMEOUT', message: 'no answer' } } as const;
    await store.recordResult('anthropic:claude-sonnet-4-5', acquisition.ticket, failure, start, config);

    expect(await redis.keys(`${prefix}*`)).toEqual([`${prefix}anthropic:claude-sonnet-4-5`]);
    const ttl = await redis.pttl(`${prefix}anthropic:claude-sonnet-4-5`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
    const stored = JSON.parse((await redis.get(`${prefix}anthropic:claude-sonnet-4-5`))!);
    expect(stored).toMatchObject({
      state: 'closed',
      window: { [String(Math.floor(start / 1_000))]: [1, 1] },
      lastError: { code: 'PROVIDER_TIMEOUT', message: 'no answer' },
    });
  });

  it('keeps the key of an open circuit for longer than ttlMs when the open period needs it', async () => {
    const prefix = trackedPrefix();
    const store = createRedisBreakerStore(redis, { keyPrefix: prefix, ttlMs: 1_000 });
    const acquisition = await store.tryAcquire('slow', start, config);
    if (!acquisition.allowed) throw new Error('expected a call to be admitted');
    await store.recordResult(
      'slow',
      acquisition.ticket,
      { type: 'rate-limited', retryAfterMs: 600_000 },
      start,
      config,
    );
    expect(await redis.pttl(`${prefix}slow`)).toBeGreaterThan(600_000);
  });

  it('treats a key it cannot read as a fresh closed circuit', async () => {
    const prefix = trackedPrefix();
    await redis.set(`${prefix}garbled`, 'not json');
    const store = createRedisBreakerStore(redis, { keyPrefix: prefix });
    expect(await store.get('garbled', start, config)).toMatchObject({ state: 'closed', calls: 0 });
    expect((await store.tryAcquire('garbled', start, config)).allowed).toBe(true);
  });

  it('rejects a ttlMs that is not a positive whole number', () => {
    expect(() => createRedisBreakerStore(redis, { ttlMs: 0 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });

  describe('two breakers on two connections sharing one store', () => {
    async function twoHosts() {
      const other = await connect();
      const prefix = trackedPrefix();
      let time = start;
      const clock = { now: () => time };
      const options = { clock, failureThreshold: 3, halfOpenMaxProbes: 1, successesToClose: 1 };
      return {
        hostA: createCircuitBreaker({ ...options, store: createRedisBreakerStore(redis, { keyPrefix: prefix }) }),
        hostB: createCircuitBreaker({ ...options, store: createRedisBreakerStore(other, { keyPrefix: prefix }) }),
        advance: (ms: number) => {
          time += ms;
        },
      };
    }

    it('opens the circuit for B after failures seen by A', async () => {
      const { hostA, hostB } = await twoHosts();
      for (let index = 0; index < 3; index += 1) {
        const permit = await hostA.acquire('anthropic:claude-sonnet-4-5');
        await permit.failure(unavailable());
      }
      await expect(hostB.acquire('anthropic:claude-sonnet-4-5')).rejects.toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
        details: { target: 'anthropic:claude-sonnet-4-5', state: 'open', retryAt: start + 30_000 },
      });
      expect(await hostB.getState('anthropic:claude-sonnet-4-5')).toMatchObject({ state: 'open', failures: 3 });
    });

    it('gives exactly one of two concurrent half-open acquires a probe permit', async () => {
      const { hostA, hostB, advance } = await twoHosts();
      for (let index = 0; index < 3; index += 1) {
        const permit = await hostB.acquire('openai:gpt-5');
        await permit.failure(unavailable());
      }
      advance(30_000);
      const results = await Promise.allSettled([hostA.acquire('openai:gpt-5'), hostB.acquire('openai:gpt-5')]);
      const permits = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      const rejections = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
      expect(permits).toHaveLength(1);
      expect(permits[0]!.isProbe).toBe(true);
      expect(rejections).toEqual([
        expect.objectContaining({
          code: 'PROVIDER_UNAVAILABLE',
          details: expect.objectContaining({ state: 'half-open' }),
        }),
      ]);

      await permits[0]!.success();
      expect(await hostA.getState('openai:gpt-5')).toMatchObject({ state: 'closed' });
      expect(await hostB.getState('openai:gpt-5')).toMatchObject({ state: 'closed' });
    });
  });
});

describe('a circuit breaker whose Redis is down', () => {
  it('serves every call from in-memory state, reports each store error and never fails a request for it', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    down.on('error', () => {});
    try {
      const storeErrors: { operation: string; target: string; error: unknown }[] = [];
      let time = start;
      const breaker = createCircuitBreaker({
        store: createRedisBreakerStore(down, { keyPrefix: uniquePrefix() }),
        clock: { now: () => time },
        failureThreshold: 2,
        onStoreError: (error, context) => storeErrors.push({ ...context, error }),
      });

      for (let index = 0; index < 2; index += 1) {
        const permit = await breaker.acquire('anthropic:claude-sonnet-4-5');
        await permit.failure(unavailable());
      }
      await expect(breaker.acquire('anthropic:claude-sonnet-4-5')).rejects.toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
        details: { state: 'open' },
      });
      time += 30_000;
      expect(await breaker.getState('anthropic:claude-sonnet-4-5')).toMatchObject({ state: 'half-open' });

      // Permits from the fallback report to the fallback, so only acquires and reads reached Redis.
      expect(storeErrors.map(({ operation }) => operation)).toEqual(['tryAcquire', 'tryAcquire', 'tryAcquire', 'get']);
      expect(storeErrors.every(({ target }) => target === 'anthropic:claude-sonnet-4-5')).toBe(true);
      expect(storeErrors[0]!.error).toBeInstanceOf(Error);
    } finally {
      down.disconnect();
    }
  });
});
