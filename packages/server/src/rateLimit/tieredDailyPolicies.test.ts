import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rateLimiter.js';
import { tieredDailyPolicies } from './tieredDailyPolicies.js';

const start = 1_700_000_000_000;
const day = 86_400_000;

function limiterFor(...parameters: Parameters<typeof tieredDailyPolicies>) {
  let time = start;
  const limiter = createRateLimiter({ clock: { now: () => time }, policies: tieredDailyPolicies(...parameters) });
  return {
    limiter,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

async function admittedCount(check: () => Promise<{ allowed: boolean }>, attempts: number): Promise<number> {
  let admitted = 0;
  for (let index = 0; index < attempts; index += 1) if ((await check()).allowed) admitted += 1;
  return admitted;
}

describe('tieredDailyPolicies', () => {
  it('limits guests per IP and users per user id, by plan, per day', async () => {
    const { limiter, advance } = limiterFor({ guest: 10, free: 50, pro: 200 });
    expect(await admittedCount(() => limiter.check({ ip: '203.0.113.7' }), 12)).toBe(10);
    expect(await admittedCount(() => limiter.check({ ip: '198.51.100.1' }), 1)).toBe(1);
    expect(await admittedCount(() => limiter.check({ ip: '203.0.113.7', userId: 'a', plan: 'free' }), 52)).toBe(50);
    expect(await admittedCount(() => limiter.check({ ip: '203.0.113.7', userId: 'b', plan: 'pro' }), 202)).toBe(200);

    const decision = await limiter.check({ ip: '203.0.113.7', userId: 'a', plan: 'free' });
    expect(decision.policies).toEqual([
      expect.objectContaining({ name: 'daily', key: 'user:a', limit: 50, windowMs: day, algorithm: 'sliding-window' }),
    ]);
    advance(day);
    expect((await limiter.check({ ip: '203.0.113.7' })).allowed).toBe(true);
  });

  it('gives users without a known plan the default plan', async () => {
    const { limiter } = limiterFor({ guest: 1, basic: 2, pro: 5 }, { defaultPlan: 'basic' });
    expect((await limiter.check({ userId: 'a' })).policies[0]!.limit).toBe(2);
    expect((await limiter.check({ userId: 'b', plan: 'legacy' })).policies[0]!.limit).toBe(2);
    expect((await limiter.check({ userId: 'c', plan: 'guest' })).policies[0]!.limit).toBe(2);
  });

  it('adds a per-team limit by plan and keeps unlimited plans and anonymous guests out', async () => {
    const { limiter } = limiterFor(
      { guest: 10, free: 50, pro: 200, enterprise: null },
      { perTeam: { free: 3, pro: 1_000, enterprise: null } },
    );
    const member = (userId: string) => limiter.check({ userId, teamId: 'team_7', plan: 'free' });
    expect(await admittedCount(() => member('a'), 3)).toBe(3);
    const denied = await member('b');
    expect(denied.policies.map(({ name, allowed, remaining }) => ({ name, allowed, remaining }))).toEqual([
      { name: 'daily', allowed: true, remaining: 50 },
      { name: 'daily-team', allowed: false, remaining: 0 },
    ]);
    expect(denied.allowed).toBe(false);

    expect((await limiter.check({ userId: 'c', teamId: 'team_9', plan: 'enterprise' })).policies).toEqual([]);
    expect((await limiter.check({})).policies).toEqual([]);
  });

  it('uses the given algorithm and names', () => {
    const policies = tieredDailyPolicies(
      { guest: 10, free: 50 },
      { perTeam: { free: 500 }, algorithm: 'token-bucket', name: 'per-day', teamName: 'team-per-day' },
    );
    expect(policies.map(({ name, algorithm, windowMs }) => ({ name, algorithm, windowMs }))).toEqual([
      { name: 'per-day', algorithm: 'token-bucket', windowMs: day },
      { name: 'team-per-day', algorithm: 'token-bucket', windowMs: day },
    ]);
  });

  it('leaves signed-in users unlimited when only guests have a limit', async () => {
    const { limiter } = limiterFor({ guest: 10 });
    expect((await limiter.check({ userId: 'a', ip: '203.0.113.7' })).policies).toEqual([]);
  });

  it('rejects a limit that is not a positive whole number or null', () => {
    expect(() => tieredDailyPolicies({ guest: 10, free: 0 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST', details: { option: 'perUser', plan: 'free', limit: 0 } }),
    );
  });

  it('rejects plan limits without one for the default plan', () => {
    expect(() => tieredDailyPolicies({ guest: 10, basic: 50 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST', details: expect.objectContaining({ defaultPlan: 'free' }) }),
    );
    expect(() => tieredDailyPolicies({ free: 50 }, { perTeam: { pro: 500 } })).toThrowError(
      expect.objectContaining({ details: expect.objectContaining({ option: 'perTeam' }) }),
    );
  });
});
