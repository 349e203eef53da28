import { describe, expect, it } from 'vitest';
import type { RateLimitDecision, RateLimitPolicyResult } from './rateLimiter.js';
import { rateLimitError, rateLimitedResponse, rateLimitHeaders } from './rateLimitResponse.js';

const daily: RateLimitPolicyResult = {
  name: 'daily',
  algorithm: 'sliding-window',
  key: 'user:user_42',
  limit: 50,
  windowMs: 86_400_000,
  allowed: true,
  remaining: 12,
  resetMs: 3_600_000,
};

const burst: RateLimitPolicyResult = {
  name: 'burst',
  algorithm: 'token-bucket',
  key: 'ip:203.0.113.7',
  limit: 5,
  windowMs: 60_000,
  allowed: true,
  remaining: 4,
  resetMs: 11_999,
};

describe('rateLimitHeaders', () => {
  it('writes one policy in the structured-field syntax of the IETF draft', () => {
    expect(rateLimitHeaders({ allowed: true, fromFallback: false, policies: [daily] })).toEqual({
      'RateLimit-Policy': '"daily";q=50;w=86400',
      RateLimit: '"daily";r=12;t=3600',
    });
  });

  it('lists every policy, rounds seconds up, and adds Retry-After when denied', () => {
    const decision: RateLimitDecision = {
      allowed: false,
      fromFallback: false,
      retryAfterMs: 3_599_001,
      policies: [
        { ...daily, allowed: false, remaining: 0, resetMs: 86_399_001, retryAfterMs: 3_599_001 },
        { ...burst, windowMs: 1_500 },
      ],
    };
    expect(rateLimitHeaders(decision)).toEqual({
      'RateLimit-Policy': '"daily";q=50;w=86400, "burst";q=5;w=2',
      RateLimit: '"daily";r=0;t=86400, "burst";r=4;t=12',
      'Retry-After': '3600',
    });
  });

  it('escapes a policy name into a valid sf-string', () => {
    const headers = rateLimitHeaders({
      allowed: true,
      fromFallback: false,
      policies: [{ ...daily, name: 'per "team" \\ day' }],
    });
    expect(headers['RateLimit-Policy']).toBe('"per \\"team\\" \\\\ day";q=50;w=86400');
  });

  it('writes no fields when no policy applied', () => {
    expect(rateLimitHeaders({ allowed: true, fromFallback: false, policies: [] })).toEqual({});
  });
});

describe('rateLimitedResponse', () => {
  const denied: RateLimitDecision = {
    allowed: false,
    fromFallback: false,
    retryAfterMs: 3_600_000,
    policies: [
      { ...daily, allowed: false, remaining: 0, resetMs: 86_000_000, retryAfterMs: 3_600_000 },
      { ...burst, allowed: false, remaining: 0, retryAfterMs: 12_000 },
    ],
  };

  it('answers 429 with the RATE_LIMITED body naming the policy that keeps the client out longest', async () => {
    const response = rateLimitedResponse(denied);
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('retry-after')).toBe('3600');
    expect(response.headers.get('ratelimit-policy')).toBe('"daily";q=50;w=86400, "burst";q=5;w=60');
    expect(response.headers.get('ratelimit')).toBe('"daily";r=0;t=86000, "burst";r=0;t=12');
    expect(await response.json()).toEqual({
      error: {
        code: 'RATE_LIMITED',
        message: 'Rate limit "daily" reached: 50 requests per day. Retry after 3600 s.',
        details: { policy: 'daily', limit: 50, retryAfterSeconds: 3600 },
      },
    });
  });

  it('describes other windows in words and never asks to retry after 0 s', async () => {
    const response = rateLimitedResponse({
      allowed: false,
      fromFallback: false,
      retryAfterMs: 0,
      policies: [{ ...burst, limit: 1, windowMs: 120_000, allowed: false, remaining: 0, retryAfterMs: 0 }],
    });
    expect(response.headers.get('retry-after')).toBe('1');
    expect((await response.json()).error.message).toBe(
      'Rate limit "burst" reached: 1 request per 2 minutes. Retry after 1 s.',
    );
  });

  it('gives the same error for hosts that build their own response', () => {
    const error = rateLimitError(denied);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', isRetryable: true });
    expect(error.details).toEqual({ policy: 'daily', limit: 50, retryAfterSeconds: 3600 });
  });

  it('refuses a decision that allowed the request', () => {
    expect(() => rateLimitedResponse({ allowed: true, fromFallback: false, policies: [daily] })).toThrowError(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
  });
});
