import { describe, expect, it, vi } from 'vitest';
import { classifyBreakerError } from '../router/circuitBreakerClassify.js';
import { createQuota, type QuotaOptions, toQuotaConsumption } from './quota.js';
import { quotaExceededError } from './quotaExceededError.js';
import type { QuotaStore } from './quotaStore.js';
import { createMemoryQuotaStore } from './quotaStoreMemory.js';

function setup(options: Omit<QuotaOptions, 'clock'>, start = Date.UTC(2026, 5, 15, 12)) {
  let time = start;
  const quota = createQuota({ ...options, clock: { now: () => time } });
  return {
    quota,
    setTime: (value: number) => {
      time = value;
    },
  };
}

/** A memory store that records what it was asked and fails while `down` is true. */
function observedStore() {
  const inner = createMemoryQuotaStore();
  const control = { down: false, adds: [] as string[], reads: [] as string[] };
  const store: QuotaStore = {
    async read(keys, now) {
      if (control.down) throw new Error('quota store unreachable');
      control.reads.push(...keys);
      return inner.read(keys, now);
    },
    async add(updates, now) {
      if (control.down) throw new Error('quota store unreachable');
      control.adds.push(
        ...updates.map(({ key, amount, expiresAt }) => `${key} +${amount} until ${new Date(expiresAt).toISOString()}`),
      );
      return inner.add(updates, now);
    },
  };
  return { store, control };
}

describe('createQuota', () => {
  it('allows up to the limit and denies once consumption reaches it exactly', async () => {
    const { quota } = setup({ limits: { user: { dailyTokens: 1_000 } } });
    const alice = { userId: 'alice' };
    expect((await quota.record(alice, { tokens: 999 })).allowed).toBe(true);
    expect(await quota.check(alice)).toMatchObject({
      allowed: true,
      limits: [{ scope: 'user', subjectId: 'alice', period: 'day', metric: 'tokens', used: 999, remaining: 1 }],
    });
    const usedUp = {
      scope: 'user',
      subjectId: 'alice',
      period: 'day',
      metric: 'tokens',
      limit: 1_000,
      used: 1_000,
      remaining: 0,
      resetAt: Date.UTC(2026, 5, 16),
      exceeded: true,
    };
    expect(await quota.record(alice, { tokens: 1 })).toEqual({
      allowed: false,
      checkedAt: Date.UTC(2026, 5, 15, 12),
      limits: [usedUp],
      exceeded: [usedUp],
      retryAt: Date.UTC(2026, 5, 16),
    });
    expect((await quota.check(alice)).allowed).toBe(false);
  });

  it('denies everything under a limit of 0', async () => {
    const { quota } = setup({ limits: { team: { monthlyUsd: 0 } } });
    expect(await quota.check({ teamId: 'frozen' })).toMatchObject({ allowed: false, retryAt: Date.UTC(2026, 6, 1) });
  });

  it('starts a new day at 00:00 UTC and a new month at 00:00 UTC on the first', async () => {
    const { quota, setTime } = setup(
      { limits: { user: { dailyTokens: 100, monthlyTokens: 250 } } },
      Date.UTC(2026, 5, 29, 23, 59, 59, 999),
    );
    const bob = { userId: 'bob' };
    expect(await quota.record(bob, { tokens: 100 })).toMatchObject({ allowed: false, retryAt: Date.UTC(2026, 5, 30) });

    setTime(Date.UTC(2026, 5, 30));
    expect(await quota.check(bob)).toMatchObject({
      allowed: true,
      limits: [
        { period: 'day', used: 0, resetAt: Date.UTC(2026, 6, 1) },
        { period: 'month', used: 100, resetAt: Date.UTC(2026, 6, 1) },
      ],
    });
    expect(await quota.record(bob, { tokens: 150 })).toMatchObject({
      allowed: false,
      exceeded: [
        { period: 'day', used: 150 },
        { period: 'month', used: 250 },
      ],
      retryAt: Date.UTC(2026, 6, 1),
    });

    setTime(Date.UTC(2026, 6, 1) - 1);
    expect((await quota.check(bob)).allowed).toBe(false);
    setTime(Date.UTC(2026, 6, 1));
    expect(await quota.check(bob)).toMatchObject({
      allowed: true,
      limits: [
        { period: 'day', used: 0, resetAt: Date.UTC(2026, 6, 2) },
        { period: 'month', used: 0, resetAt: Date.UTC(2026, 7, 1) },
      ],
    });
  });

  it('rolls December over into January of the next year', async () => {
    const { quota, setTime } = setup({ limits: { user: { monthlyUsd: 1 } } }, Date.UTC(2026, 11, 31, 23));
    expect(await quota.record({ userId: 'c' }, { tokens: 0, usd: 1 })).toMatchObject({
      allowed: false,
      retryAt: Date.UTC(2027, 0, 1),
    });
    setTime(Date.UTC(2027, 0, 1));
    expect((await quota.check({ userId: 'c' })).allowed).toBe(true);
  });

  it('shares a team limit between its members while each user keeps their own', async () => {
    const { quota } = setup({ limits: { user: { dailyTokens: 80 }, team: { dailyTokens: 100 } } });
    const alice = { userId: 'alice', teamId: 'acme' };
    const bob = { userId: 'bob', teamId: 'acme' };
    const carol = { userId: 'carol', teamId: 'globex' };

    await quota.record(alice, { tokens: 60 });
    expect((await quota.check(alice)).allowed).toBe(true);
    const bobs = await quota.record(bob, { tokens: 40 });
    expect(bobs.limits.map(({ scope, used }) => `${scope} ${used}`)).toEqual(['user 40', 'team 100']);
    expect(bobs.exceeded).toEqual([expect.objectContaining({ scope: 'team', subjectId: 'acme' })]);
    expect((await quota.check(alice)).allowed).toBe(false);
    expect((await quota.check({ userId: 'alice' })).allowed).toBe(true);
    expect((await quota.check(carol)).allowed).toBe(true);

    await quota.record(carol, { tokens: 80 });
    expect(await quota.check(carol)).toMatchObject({
      allowed: false,
      exceeded: [{ scope: 'user', subjectId: 'carol', used: 80 }],
    });
  });

  it('counts money in micro-dollars, so many small costs add up exactly', async () => {
    const { quota } = setup({ limits: { team: { dailyUsd: 0.3 } } });
    const team = { teamId: 'acme' };
    await quota.record(team, { tokens: 10, usd: 0.1 });
    const decision = await quota.record(team, { tokens: 10, usd: 0.2 });
    expect(decision.exceeded).toEqual([
      expect.objectContaining({ metric: 'usd', used: 0.3, limit: 0.3, remaining: 0 }),
    ]);

    const { quota: precise } = setup({ limits: { user: { monthlyUsd: 1 } } });
    for (let index = 0; index < 9; index += 1) await precise.record({ userId: 'u' }, { tokens: 1, usd: 0.1 });
    expect(await precise.check({ userId: 'u' })).toMatchObject({
      allowed: true,
      limits: [{ used: 0.9, remaining: 0.1 }],
    });
    expect((await precise.record({ userId: 'u' }, { tokens: 1, usd: 0.099_999 })).allowed).toBe(true);
    expect((await precise.record({ userId: 'u' }, { tokens: 1, usd: 0.000_001 })).allowed).toBe(false);
  });

  it('writes every counter of the subject, in tokens and micro-dollars, expiring at the end of its period', async () => {
    const { store, control } = observedStore();
    const { quota } = setup({ store, limits: {} }, Date.UTC(2026, 1, 10, 8));
    const decision = await quota.record({ userId: 'a:b', teamId: 'acme' }, { tokens: 1_234, usd: 0.0123456 });
    expect(decision).toEqual({ allowed: true, checkedAt: Date.UTC(2026, 1, 10, 8), limits: [], exceeded: [] });
    expect(control.adds).toEqual([
      'user:a%3Ab:day:2026-02-10:tokens +1234 until 2026-02-11T00:00:00.000Z',
      'user:a%3Ab:month:2026-02:tokens +1234 until 2026-03-01T00:00:00.000Z',
      'user:a%3Ab:day:2026-02-10:usd +12346 until 2026-02-11T00:00:00.000Z',
      'user:a%3Ab:month:2026-02:usd +12346 until 2026-03-01T00:00:00.000Z',
      'team:acme:day:2026-02-10:tokens +1234 until 2026-02-11T00:00:00.000Z',
      'team:acme:month:2026-02:tokens +1234 until 2026-03-01T00:00:00.000Z',
      'team:acme:day:2026-02-10:usd +12346 until 2026-02-11T00:00:00.000Z',
      'team:acme:month:2026-02:usd +12346 until 2026-03-01T00:00:00.000Z',
    ]);
    expect(control.reads).toEqual([]);
  });

  it('skips counters with nothing to add, and reads only the limited counters it did not just write', async () => {
    const { store, control } = observedStore();
    const { quota } = setup({ store, limits: { user: { dailyTokens: 10, monthlyUsd: 5 } } }, Date.UTC(2026, 1, 10));
    await quota.record({ userId: 'u' }, { tokens: 3 });
    expect(control.adds).toEqual([
      'user:u:day:2026-02-10:tokens +3 until 2026-02-11T00:00:00.000Z',
      'user:u:month:2026-02:tokens +3 until 2026-03-01T00:00:00.000Z',
    ]);
    expect(control.reads).toEqual(['user:u:month:2026-02:usd']);
  });

  it('counts usage recorded before a limit was raised', async () => {
    let limit = 100;
    const { quota } = setup({ limits: () => ({ user: { dailyTokens: limit } }) });
    await quota.record({ userId: 'u' }, { tokens: 150 });
    expect((await quota.check({ userId: 'u' })).allowed).toBe(false);
    limit = 200;
    expect(await quota.check({ userId: 'u' })).toMatchObject({ allowed: true, limits: [{ used: 150, remaining: 50 }] });
  });

  it('asks a limits function for each subject, awaiting it', async () => {
    const seen: unknown[] = [];
    const { quota } = setup({
      limits: async (subject) => {
        seen.push(subject);
        return subject.teamId === 'pro' ? { team: { dailyTokens: 1_000 } } : { team: { dailyTokens: 10 } };
      },
    });
    await quota.record({ teamId: 'pro' }, { tokens: 50 });
    await quota.record({ teamId: 'free' }, { tokens: 50 });
    expect((await quota.check({ teamId: 'pro' })).allowed).toBe(true);
    expect((await quota.check({ teamId: 'free' })).allowed).toBe(false);
    expect(seen).toContainEqual({ teamId: 'pro' });
  });

  it('allows a subject without ids or limits, and applies no team limit to a user alone', async () => {
    const { quota } = setup({ limits: { team: { dailyTokens: 0 } } });
    expect(await quota.check({})).toMatchObject({ allowed: true, limits: [] });
    expect(await quota.check({ userId: 'solo' })).toMatchObject({ allowed: true, limits: [] });
  });

  it('rejects invalid limits, ids and consumption with INVALID_REQUEST', async () => {
    expect(() => createQuota({ limits: { user: { dailyTokens: 1.5 } } })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST', details: { field: 'dailyTokens', value: 1.5 } }),
    );
    expect(() => createQuota({ limits: { team: { monthlyUsd: -1 } } })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
    const { quota } = setup({ limits: () => ({ user: { dailyUsd: Number.NaN } }) });
    await expect(quota.check({ userId: 'u' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    const { quota: valid } = setup({ limits: {} });
    await expect(valid.check({ userId: '' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      details: { field: 'userId' },
    });
    await expect(valid.record({ userId: 'u' }, { tokens: -1 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(valid.record({ userId: 'u' }, { tokens: 1, usd: Number.POSITIVE_INFINITY })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });

  it('keeps counting in memory while the store is down, reporting the outage once', async () => {
    const { store, control } = observedStore();
    const failures: { operation: string; outageStarted: boolean }[] = [];
    const { quota } = setup({
      store,
      limits: { user: { dailyTokens: 100 } },
      onStoreError: (_error, context) => failures.push(context),
    });
    await quota.record({ userId: 'u' }, { tokens: 30 });
    control.down = true;
    expect(await quota.check({ userId: 'u' })).toMatchObject({ allowed: true, limits: [{ used: 0 }] });
    expect(await quota.record({ userId: 'u' }, { tokens: 100 })).toMatchObject({
      allowed: false,
      limits: [{ used: 100 }],
    });
    expect((await quota.check({ userId: 'u' })).allowed).toBe(false);
    expect(failures).toEqual([
      { operation: 'read', outageStarted: true },
      { operation: 'add', outageStarted: false },
      { operation: 'read', outageStarted: false },
    ]);

    control.down = false;
    expect(await quota.check({ userId: 'u' })).toMatchObject({ allowed: true, limits: [{ used: 30 }] });
  });

  it('warns on the console once per outage when no onStoreError is given', async () => {
    const { store, control } = observedStore();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { quota } = setup({ store, limits: { user: { dailyTokens: 100 } } });
      control.down = true;
      await quota.check({ userId: 'u' });
      await quota.record({ userId: 'u' }, { tokens: 1 });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toContain('quota store failed (read)');
    } finally {
      warn.mockRestore();
    }
  });
});

describe('toQuotaConsumption', () => {
  it('counts every token of the usage and the total cost when there is one', () => {
    const usage = { inputTokens: 100, outputTokens: 20, cachedInputTokens: 300, cacheWriteTokens: 4 };
    const cost = { inputUsd: 0, outputUsd: 0, cachedInputUsd: 0, cacheWriteUsd: 0, totalUsd: 0.0042 };
    expect(toQuotaConsumption(usage, cost)).toEqual({ tokens: 424, usd: 0.0042 });
    expect(toQuotaConsumption({ inputTokens: 5, outputTokens: 6 })).toEqual({ tokens: 11 });
  });
});

describe('quotaExceededError', () => {
  it('is a 429 QUOTA_EXCEEDED naming the limit and its reset, with details for Retry-After', async () => {
    const { quota } = setup({ limits: { user: { dailyTokens: 200_000 } } }, Date.UTC(2026, 5, 1, 18));
    const decision = await quota.record({ userId: 'alice' }, { tokens: 200_450 });
    const error = quotaExceededError(decision);
    expect(error.code).toBe('QUOTA_EXCEEDED');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toBe(
      "The user's daily limit of 200000 tokens is used up (200450 used); it resets at 2026-06-02T00:00:00.000Z. Try again then, or ask for a higher limit.",
    );
    expect(error.details).toEqual({
      retryAt: Date.UTC(2026, 5, 2),
      retryAfterMs: 6 * 3_600_000,
      exceeded: [expect.objectContaining({ scope: 'user', subjectId: 'alice', used: 200_450, limit: 200_000 })],
    });
  });

  it('names the limit that resets last when several are used up', async () => {
    const { quota } = setup({ limits: { user: { dailyTokens: 10 }, team: { monthlyUsd: 50 } } });
    const decision = await quota.record({ userId: 'u', teamId: 't' }, { tokens: 10, usd: 50.02 });
    const error = quotaExceededError(decision);
    expect(error.message).toBe(
      "The team's monthly spending limit of $50 is used up ($50.02 spent); it resets at 2026-07-01T00:00:00.000Z. 1 other limit is used up too. Try again then, or ask for a higher limit.",
    );
    expect(error.details).toMatchObject({ retryAt: Date.UTC(2026, 6, 1) });
  });

  it('is never taken for a provider failure by the circuit breaker', async () => {
    const { quota } = setup({ limits: { user: { dailyTokens: 0 } } });
    expect(classifyBreakerError(quotaExceededError(await quota.check({ userId: 'u' })))).toBe('ignore');
  });

  it('refuses a decision that allows the call', () => {
    expect(() => quotaExceededError({ allowed: true, checkedAt: 0, limits: [], exceeded: [] })).toThrowError(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
  });
});
