import { describe, expect, it } from 'vitest';
import type { FragmentkitLogger } from '../logger.js';
import { createMemoryRateLimitStore } from './memoryRateLimitStore.js';
import { createRateLimiter, type RateLimitStoreErrorContext } from './rateLimiter.js';
import type { RateLimitPolicy, RateLimitRule } from './rateLimitPolicy.js';
import type { RateLimitRequest, RateLimitStore } from './rateLimitStore.js';

const start = 1_700_000_000_000;
const day = 86_400_000;

function fakeClock() {
  let time = start;
  return {
    clock: { now: () => time },
    advance: (ms: number) => {
      time += ms;
    },
  };
}

interface StoreCall {
  operation: 'consume' | 'refund';
  key: string;
  rule: RateLimitRule;
  request: RateLimitRequest;
}

/** A memory store that records every call and fails while `down` is set, like Redis in an outage. */
function createObservedStore() {
  const inner = createMemoryRateLimitStore();
  const calls: StoreCall[] = [];
  const control = { down: false };
  const store: RateLimitStore = {
    async consume(key, rule, request) {
      calls.push({ operation: 'consume', key, rule, request });
      if (control.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return inner.consume(key, rule, request);
    },
    async refund(key, rule, request) {
      calls.push({ operation: 'refund', key, rule, request });
      if (control.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return inner.refund(key, rule, request);
    },
  };
  return { store, calls, control };
}

function recordingLogger() {
  const lines: { level: 'info' | 'warn' | 'error'; fields: Record<string, unknown>; message?: string }[] = [];
  const logger: FragmentkitLogger = {
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => lines.push({ level: 'error', fields, message }),
  };
  return { logger, lines };
}

const perIp = (limit: number, windowMs = day): RateLimitPolicy => ({
  name: 'ip',
  algorithm: 'sliding-window',
  limit,
  windowMs,
  key: (subject) => (subject.ip ? `ip:${subject.ip}` : null),
});
const perUser = (limit: number): RateLimitPolicy => ({
  name: 'user',
  algorithm: 'sliding-window',
  limit,
  windowMs: day,
  key: (subject) => (subject.userId ? `user:${subject.userId}` : null),
});
const perTeam = (limit: number): RateLimitPolicy => ({
  name: 'team',
  algorithm: 'token-bucket',
  limit,
  windowMs: 60_000,
  key: (subject) => (subject.teamId ? `team:${subject.teamId}` : null),
});

describe('createRateLimiter', () => {
  it('admits a sliding-window limit exactly, then denies until the first request leaves the window', async () => {
    const { clock, advance } = fakeClock();
    const limiter = createRateLimiter({ clock, policies: [perIp(3)] });
    const subject = { ip: '203.0.113.7' };

    await limiter.check(subject);
    advance(3_600_000);
    await limiter.check(subject);
    const third = await limiter.check(subject);
    expect(third).toEqual({
      allowed: true,
      fromFallback: false,
      policies: [
        {
          name: 'ip',
          algorithm: 'sliding-window',
          key: 'ip:203.0.113.7',
          limit: 3,
          windowMs: day,
          allowed: true,
          remaining: 0,
          resetMs: day,
        },
      ],
    });

    const denied = await limiter.check(subject);
    expect(denied).toMatchObject({
      allowed: false,
      retryAfterMs: day - 3_600_000,
      policies: [{ name: 'ip', allowed: false, remaining: 0, retryAfterMs: day - 3_600_000 }],
    });

    advance(day - 3_600_000 - 1);
    expect((await limiter.check(subject)).allowed).toBe(false);
    advance(1);
    expect(await limiter.check(subject)).toMatchObject({ allowed: true, policies: [{ remaining: 0 }] });
  });

  it('lets a token bucket burst to its capacity and then refill gradually', async () => {
    const { clock, advance } = fakeClock();
    const limiter = createRateLimiter({ clock, policies: [perTeam(6)] });
    const subject = { teamId: 'team_7' };
    for (let index = 0; index < 6; index += 1) expect((await limiter.check(subject)).allowed).toBe(true);
    expect(await limiter.check(subject)).toMatchObject({ allowed: false, retryAfterMs: 10_000 });
    advance(25_000);
    expect(await limiter.check(subject)).toMatchObject({
      allowed: true,
      policies: [{ remaining: 1, resetMs: 45_000 }],
    });
  });

  it('checks IP, user and team together and denies when one denies, consuming nothing from the others', async () => {
    const { clock } = fakeClock();
    const { store, calls } = createObservedStore();
    const limiter = createRateLimiter({ clock, store, policies: [perIp(10), perUser(5), perTeam(2)] });
    const subject = { ip: '203.0.113.7', userId: 'user_42', teamId: 'team_7' };

    await limiter.check(subject);
    await limiter.check(subject);
    calls.length = 0;
    const denied = await limiter.check(subject);

    expect(denied.allowed).toBe(false);
    expect(denied.retryAfterMs).toBe(30_000);
    expect(
      denied.policies.map(({ name, allowed, remaining, retryAfterMs }) => ({ name, allowed, remaining, retryAfterMs })),
    ).toEqual([
      { name: 'ip', allowed: true, remaining: 8, retryAfterMs: undefined },
      { name: 'user', allowed: true, remaining: 3, retryAfterMs: undefined },
      { name: 'team', allowed: false, remaining: 0, retryAfterMs: 30_000 },
    ]);
    // Each policy consumed once with the same request, and only the admitting ones were refunded.
    const id = calls[0]!.request.id;
    expect(
      calls.map(({ operation, key, request }) => ({ operation, key, id: request.id, cost: request.cost })),
    ).toEqual([
      { operation: 'consume', key: 'ip:ip:203.0.113.7', id, cost: 1 },
      { operation: 'consume', key: 'user:user:user_42', id, cost: 1 },
      { operation: 'consume', key: 'team:team:team_7', id, cost: 1 },
      { operation: 'refund', key: 'ip:ip:203.0.113.7', id, cost: 1 },
      { operation: 'refund', key: 'user:user:user_42', id, cost: 1 },
    ]);

    // Another team member is not limited by the team, and the denied request left no trace.
    const colleague = await limiter.check({ ip: '203.0.113.7', userId: 'user_42', teamId: 'team_8' });
    expect(colleague.policies.map(({ remaining }) => remaining)).toEqual([7, 2, 1]);
  });

  it('reports the longest wait when several policies deny', async () => {
    const { clock, advance } = fakeClock();
    const limiter = createRateLimiter({ clock, policies: [perIp(1), perTeam(1)] });
    const subject = { ip: '203.0.113.7', teamId: 'team_7' };
    await limiter.check(subject);
    advance(1_000);
    const denied = await limiter.check(subject);
    expect(denied.policies.map(({ allowed, retryAfterMs }) => ({ allowed, retryAfterMs }))).toEqual([
      { allowed: false, retryAfterMs: day - 1_000 },
      { allowed: false, retryAfterMs: 59_000 },
    ]);
    expect(denied.retryAfterMs).toBe(day - 1_000);
  });

  it('uses a cost greater than one under every policy', async () => {
    const { clock } = fakeClock();
    const { store, calls } = createObservedStore();
    const limiter = createRateLimiter({ clock, store, policies: [perIp(10), perUser(5)] });
    const subject = { ip: '203.0.113.7', userId: 'user_42' };
    expect((await limiter.check(subject, { cost: 3 })).policies.map(({ remaining }) => remaining)).toEqual([7, 2]);
    expect(calls.every(({ request }) => request.cost === 3)).toBe(true);

    const denied = await limiter.check(subject, { cost: 3 });
    expect(denied).toMatchObject({ allowed: false, retryAfterMs: day });
    expect(denied.policies.map(({ remaining }) => remaining)).toEqual([7, 2]);
    expect((await limiter.check(subject, { cost: 2 })).policies.map(({ remaining }) => remaining)).toEqual([5, 0]);
  });

  it('takes the limit of a policy from the subject when it is a function', async () => {
    const { clock } = fakeClock();
    const limiter = createRateLimiter({
      clock,
      policies: [{ ...perUser(1), limit: (subject) => (subject.plan === 'pro' ? 3 : 1) }],
    });
    await limiter.check({ userId: 'user_42', plan: 'free' });
    expect((await limiter.check({ userId: 'user_42', plan: 'free' })).allowed).toBe(false);
    // Upgrading keeps what was used: 1 of 3 is gone.
    expect(await limiter.check({ userId: 'user_42', plan: 'pro' })).toMatchObject({
      allowed: true,
      policies: [{ limit: 3, remaining: 1 }],
    });
  });

  it('admits a subject no policy applies to without calling the store', async () => {
    const { store, calls } = createObservedStore();
    const limiter = createRateLimiter({ store, policies: [perUser(1)] });
    expect(await limiter.check({ ip: '203.0.113.7' })).toEqual({ allowed: true, policies: [], fromFallback: false });
    expect(calls).toEqual([]);
  });

  it('counts checks, admissions and denials', async () => {
    const limiter = createRateLimiter({ policies: [perIp(1)] });
    await limiter.check({ ip: 'a' });
    await limiter.check({ ip: 'a' });
    await limiter.check({ ip: 'b' });
    expect(limiter.getMetrics()).toEqual({ checks: 3, allowed: 2, denied: 1, fallbackDecisions: 0, storeErrors: 0 });
  });

  describe('bad input', () => {
    it.each([0, -1, 1.5, Number.NaN])('rejects a cost of %s', async (cost) => {
      const limiter = createRateLimiter({ policies: [perIp(5)] });
      await expect(limiter.check({ ip: 'a' }, { cost })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    });

    it('rejects a cost that can never fit a limit instead of denying it forever', async () => {
      const { store, calls } = createObservedStore();
      const limiter = createRateLimiter({ store, policies: [perIp(5), perUser(2)] });
      await expect(limiter.check({ ip: 'a', userId: 'u' }, { cost: 3 })).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
        details: { policy: 'user', cost: 3, limit: 2 },
      });
      expect(calls).toEqual([]);
    });

    it.each<[string, Partial<RateLimitPolicy>]>([
      ['name', { name: '' }],
      ['name', { name: 'naïve' }],
      ['algorithm', { algorithm: 'fixed-window' as never }],
      ['windowMs', { windowMs: 0 }],
      ['limit', { limit: 2.5 }],
      ['limit', { limit: Number.MAX_SAFE_INTEGER }],
    ])('rejects a policy with an invalid %s', (field, override) => {
      expect(() => createRateLimiter({ policies: [{ ...perIp(5), ...override }] })).toThrowError(
        expect.objectContaining({ code: 'INVALID_REQUEST', details: expect.objectContaining({ field }) }),
      );
    });

    it('rejects two policies with the same name', () => {
      expect(() => createRateLimiter({ policies: [perIp(5), { ...perUser(5), name: 'ip' }] })).toThrowError(
        expect.objectContaining({ code: 'INVALID_REQUEST', details: expect.objectContaining({ field: 'name' }) }),
      );
    });

    it('rejects a computed limit that is not a positive whole number when it is used', async () => {
      const limiter = createRateLimiter({ policies: [{ ...perIp(5), limit: () => 0 }] });
      await expect(limiter.check({ ip: 'a' })).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
        details: { policy: 'ip', field: 'limit' },
      });
    });
  });

  describe('when the store fails', () => {
    function limiterOnObservedStore() {
      const { clock, advance } = fakeClock();
      const observed = createObservedStore();
      const { logger, lines } = recordingLogger();
      const storeErrors: RateLimitStoreErrorContext[] = [];
      const limiter = createRateLimiter({
        clock,
        store: observed.store,
        logger,
        onStoreError: (_error, context) => storeErrors.push(context),
        policies: [perIp(2), perUser(5)],
      });
      return { limiter, advance, lines, storeErrors, ...observed };
    }

    it('keeps limiting in memory, warns once per outage and counts the decisions it made', async () => {
      const { limiter, control, lines, storeErrors } = limiterOnObservedStore();
      control.down = true;
      const subject = { ip: '203.0.113.7', userId: 'user_42' };

      const decisions = [await limiter.check(subject), await limiter.check(subject), await limiter.check(subject)];
      expect(decisions.map(({ allowed, fromFallback }) => ({ allowed, fromFallback }))).toEqual([
        { allowed: true, fromFallback: true },
        { allowed: true, fromFallback: true },
        { allowed: false, fromFallback: true },
      ]);
      expect(lines).toEqual([
        {
          level: 'warn',
          fields: { policy: 'ip', operation: 'consume', errorMessage: 'connect ECONNREFUSED 127.0.0.1:6379' },
          message:
            'The rate limit store failed; this instance limits requests in memory until the store answers again.',
        },
      ]);
      expect(storeErrors).toHaveLength(6);
      expect(storeErrors[0]).toEqual({ operation: 'consume', policy: 'ip', key: 'ip:203.0.113.7' });
      expect(limiter.getMetrics()).toEqual({
        checks: 3,
        allowed: 2,
        denied: 1,
        fallbackDecisions: 3,
        storeErrors: 6,
      });
    });

    it('refunds a denied request to the insurance store that counted it', async () => {
      const { limiter, control, calls } = limiterOnObservedStore();
      control.down = true;
      const subject = { ip: '203.0.113.7', userId: 'user_42' };
      await limiter.check(subject);
      await limiter.check(subject);
      const denied = await limiter.check(subject);
      expect(denied.policies.map(({ remaining }) => remaining)).toEqual([0, 3]);
      expect(calls.some(({ operation }) => operation === 'refund')).toBe(false);
      // Three units would be gone had the denied request not been refunded in memory.
      expect((await limiter.check({ ip: '198.51.100.1', userId: 'user_42' })).policies[1]!.remaining).toBe(2);
    });

    it('goes back to the store as soon as it answers and logs the recovery', async () => {
      const { limiter, control, lines, calls } = limiterOnObservedStore();
      const subject = { ip: '203.0.113.7', userId: 'user_42' };
      await limiter.check(subject);
      control.down = true;
      await limiter.check(subject);
      control.down = false;
      calls.length = 0;

      const back = await limiter.check(subject);
      // The store counted the first and this request; the one during the outage stayed in memory.
      expect(back).toMatchObject({
        allowed: true,
        fromFallback: false,
        policies: [{ remaining: 0 }, { remaining: 3 }],
      });
      expect(calls.map(({ operation }) => operation)).toEqual(['consume', 'consume']);
      expect(lines.map(({ level }) => level)).toEqual(['warn', 'info']);
      expect(lines[1]!.message).toBe('The rate limit store answers again; shared limits apply again.');

      control.down = true;
      await limiter.check({ ip: '198.51.100.1' });
      expect(lines.map(({ level }) => level)).toEqual(['warn', 'info', 'warn']);
      expect(limiter.getMetrics().fallbackDecisions).toBe(2);
    });

    it('reports a refund the store could not take and still answers', async () => {
      const { clock } = fakeClock();
      const observed = createObservedStore();
      const storeErrors: RateLimitStoreErrorContext[] = [];
      // The store fails right after the consumes of the denied request, before its refund.
      const store: RateLimitStore = {
        consume: observed.store.consume,
        async refund(key, rule, request) {
          observed.control.down = true;
          return observed.store.refund(key, rule, request);
        },
      };
      const limiter = createRateLimiter({
        clock,
        store,
        logger: recordingLogger().logger,
        onStoreError: (_error, context) => storeErrors.push(context),
        policies: [perIp(5), perUser(1)],
      });
      await limiter.check({ ip: 'a', userId: 'u' });
      const denied = await limiter.check({ ip: 'a', userId: 'u' });
      expect(denied).toMatchObject({ allowed: false, policies: [{ name: 'ip', remaining: 3 }, { name: 'user' }] });
      expect(storeErrors).toEqual([{ operation: 'refund', policy: 'ip', key: 'ip:a' }]);
    });
  });
});
